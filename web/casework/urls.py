from django.urls import path

from . import clients, views

app_name = "casework"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.intake_new, name="intake_new"),
    path("clients/", clients.client_list, name="client_list"),
    path("clients/<int:client_id>/open-case/", clients.client_open_case, name="client_open_case"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/do/<slug:name>/", views.case_action, name="case_action"),
    path("sessions/new/", views.group_session_new, name="group_session_new"),
]
