"""/api/v1/ (the API), /api/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI, Redoc at
/api/redoc/), with assets served locally from drf-spectacular-sidecar."""

from django.urls import path, re_path, register_converter
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from . import subject_access, views
from .transitions import TRANSITIONS


class IdConverter:
    """A positive id of at most 18 digits: a longer one could not be a database integer, so it
    matches no route (a JSON 404) instead of overflowing a query."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "id")

app_name = "api"

v1 = [
    path("me/", views.MeView.as_view(), name="me"),
    path("programmes/", views.ProgrammeListView.as_view(), name="programme_list"),
    path("mentors/", views.MentorListView.as_view(), name="mentor_list"),
    path("clients/", views.ClientListView.as_view(), name="client_list"),
    path("clients/<id:client_id>/", views.ClientDetailView.as_view(), name="client_detail"),
    path(
        "clients/<id:client_id>/subject-access/",
        subject_access.ClientSubjectAccessView.as_view(),
        name="client_subject_access",
    ),
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/<id:case_id>/", views.CaseDetailView.as_view(), name="case_detail"),
    path(
        "cases/<id:case_id>/transitions/",
        views.CaseTransitionListView.as_view(),
        name="transition_list",
    ),
    *[
        path(
            f"cases/<id:case_id>/transitions/{name}/",
            views.transition_view(transition),
            name=f"transition_{name}",
        )
        for name, transition in TRANSITIONS.items()
    ],
    path("cases/<id:case_id>/plan/", views.CasePlanView.as_view(), name="case_plan"),
    path("cases/<id:case_id>/goals/", views.CaseGoalListView.as_view(), name="case_goals"),
    path(
        "cases/<id:case_id>/attendance/",
        views.CaseAttendanceView.as_view(),
        name="case_attendance",
    ),
    path("cases/<id:case_id>/screening/", views.CaseScreeningView.as_view(), name="case_screening"),
    path("cases/<id:case_id>/placement/", views.CasePlacementView.as_view(), name="case_placement"),
    path(
        "cases/<id:case_id>/follow-ups/",
        views.CaseFollowUpListView.as_view(),
        name="case_follow_ups",
    ),
    path(
        "cases/<id:case_id>/referrals/",
        views.CaseReferralListView.as_view(),
        name="case_referrals",
    ),
    path("cases/<id:case_id>/history/", views.CaseHistoryView.as_view(), name="case_history"),
    path("goals/<id:goal_id>/", views.GoalDetailView.as_view(), name="goal_detail"),
    path("sessions/", views.SessionListView.as_view(), name="session_list"),
    path("sessions/<id:session_id>/", views.SessionDetailView.as_view(), name="session_detail"),
    path(
        "attendance/<id:attendance_id>/",
        views.AttendanceDetailView.as_view(),
        name="attendance_detail",
    ),
    path("follow-ups/", views.FollowUpListView.as_view(), name="follow_up_list"),
    path(
        "follow-ups/<id:follow_up_id>/",
        views.FollowUpDetailView.as_view(),
        name="follow_up_detail",
    ),
    path("referrals/<id:referral_id>/", views.ReferralDetailView.as_view(), name="referral_detail"),
    path(
        "referrals/<id:referral_id>/answer/",
        views.ReferralAnswerView.as_view(),
        name="referral_answer",
    ),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("notifications/", views.NotificationListView.as_view(), name="notification_list"),
    path(
        "notifications/read-all/",
        views.NotificationReadAllView.as_view(),
        name="notification_read_all",
    ),
    path(
        "notifications/<id:notification_id>/read/",
        views.NotificationReadView.as_view(),
        name="notification_read",
    ),
]

urlpatterns = [
    *[path(f"v1/{pattern.pattern}", pattern.callback, name=pattern.name) for pattern in v1],
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    # Any other path, newlines and all: a JSON 404.
    re_path(r"^[\s\S]*$", views.NotFoundView.as_view(), name="not_found"),
]
