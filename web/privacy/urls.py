from django.urls import path

from . import subject_access, views

app_name = "privacy"

urlpatterns = [
    path("otp/", views.otp_verify, name="otp_verify"),
    path("cases/<int:case_id>/consents/", views.consent_record, name="consent_record"),
    path(
        "cases/<int:case_id>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "cases/<int:case_id>/special-categories/<str:category>/",
        views.special_category_record,
        name="special_category_record",
    ),
    path("processing/", views.processing_record, name="processing_record"),
    path("processing.csv", views.processing_record_csv, name="processing_record_csv"),
    path(
        "clients/<int:client_id>/subject-access/",
        subject_access.subject_access_page,
        name="subject_access",
    ),
    path(
        "clients/<int:client_id>/subject-access.json",
        subject_access.subject_access_json,
        name="subject_access_json",
    ),
]
