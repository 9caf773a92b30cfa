from django.urls import path

from . import rights, subject_access, views

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
    path("break-glass/", rights.break_glass, name="break_glass"),
    path("break-glass/review/", rights.break_glass_review, name="break_glass_review"),
    path(
        "break-glass/<int:grant_id>/reviewed/",
        rights.break_glass_mark_reviewed,
        name="break_glass_mark_reviewed",
    ),
    path("rights/", rights.rights_list, name="rights_list"),
    path("cases/<int:case_id>/rights/", rights.case_rights, name="case_rights"),
    path("cases/<int:case_id>/rights/record/", rights.rights_record, name="rights_record"),
    path("rights/<int:request_id>/decide/", rights.rights_decide, name="rights_decide"),
    path("rights/<int:request_id>/lift/", rights.rights_lift, name="rights_lift"),
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
