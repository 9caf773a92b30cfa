from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from viewflow.urls import Site

from web.workflows.viewsets import CaseJourneyViewset
from workflows.flows import CaseJourneyFlow

workflow_site = Site(
    title="Lépés",
    viewsets=[CaseJourneyViewset(CaseJourneyFlow, icon="route", app_name="journey")],
)

urlpatterns = [
    path("", include("web.casework.urls")),
    path("notifications/", include("web.notifications.urls")),
    path("tasks/", include("web.workflows.urls")),
    path("api/", include("api.urls")),
    path("events/", include("web.community.urls")),
    path("audit/", include("web.audit.urls")),
    path("reporting/", include("web.reporting.urls")),
    path("privacy/", include("web.privacy.urls")),
    path("staff/", include("web.staff.urls")),
    path("setup/", include("web.setup.urls")),
    path("clients/import/", include("web.register_import.urls")),
    path("workflow/", workflow_site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The link of a staff invitation or password reset (casework.staff) lands here.
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
