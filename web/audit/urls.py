from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("cases/<int:case_id>/", views.case_timeline, name="case_timeline"),
    path("cases/<int:case_id>/sign-off/", views.sign_off, name="sign_off"),
    path("cases/<int:case_id>/as-of/", views.case_as_of, name="case_as_of"),
    path("cases/<int:case_id>/export.csv", views.case_export_csv, name="case_export_csv"),
    path("cases/<int:case_id>/export.json", views.case_export_json, name="case_export_json"),
    path("clients/<int:client_id>/access/", views.client_access, name="client_access"),
]
