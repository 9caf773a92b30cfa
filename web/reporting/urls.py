from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("<int:programme_id>/", views.dashboard, name="dashboard"),
    path("<int:programme_id>/export.<str:fmt>", views.export, name="export"),
    path(
        "<int:programme_id>/esf-participants.<str:fmt>",
        views.esf_datasheet,
        name="esf_datasheet",
    ),
    path("<int:programme_id>/<slug:code>/", views.records, name="records"),
]

# Generated reports and export jobs.
from . import urls_runs  # noqa: E402

urlpatterns += urls_runs.urlpatterns
