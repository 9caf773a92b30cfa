from django.urls import path

from . import views

app_name = "casework"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.intake_new, name="intake_new"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/do/<slug:name>/", views.case_action, name="case_action"),
    path("sessions/new/", views.group_session_new, name="group_session_new"),
]
