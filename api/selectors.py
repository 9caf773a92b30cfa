"""Reads the API needs beyond ``casework.selectors``; each starts from the user's scope
(``cases_visible_to``), so a record outside it is a ``NotFound`` and never counted."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from viewflow.workflow.status import STATUS

from audit.selectors import case_for_audit
from casework import selectors
from casework.models import (
    Attendance,
    Case,
    Client,
    DevelopmentPlan,
    FollowUp,
    Goal,
    HealthScreening,
    Organisation,
    OrganisationKind,
    Placement,
    Programme,
    Referral,
    Session,
)
from kernel.errors import NotFound
from notifications import selectors as notification_selectors
from notifications.models import Notification
from workflows.flows import CaseJourneyFlow
from workflows.models import CaseTask


def _get(queryset: QuerySet, pk: int):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


# -- programmes -------------------------------------------------------------------------------

# The kinds ``casework.selectors.partner_offices_for`` counts as partner offices.
PARTNER_KINDS = [
    OrganisationKind.LABOUR_OFFICE,
    OrganisationKind.HEALTH_OFFICE,
    OrganisationKind.OTHER,
]


def programmes_with_partner_offices(*, user) -> QuerySet[Programme]:
    """The user's programmes, each with ``partner_offices``, in two queries."""
    return selectors.programmes_for(user=user).prefetch_related(
        Prefetch(
            "organisations",
            queryset=Organisation.objects.filter(kind__in=PARTNER_KINDS).order_by("name"),
            to_attr="partner_offices",
        )
    )


# -- cases and their records ------------------------------------------------------------------


def goals_of_case(*, user, case_id: int) -> QuerySet[Goal]:
    case = selectors.case_get(user=user, case_id=case_id)
    return Goal.objects.filter(plan__case=case).order_by("id")


def goal_get(*, user, goal_id: int) -> Goal:
    visible = selectors.cases_visible_to(user)
    return _get(Goal.objects.filter(plan__case__in=visible), goal_id)


def attendance_of_case(*, user, case_id: int) -> QuerySet[Attendance]:
    case = selectors.case_get(user=user, case_id=case_id)
    return (
        Attendance.objects.filter(case=case)
        .select_related("session", "case")
        .order_by("-session__held_on", "-id")
    )


def attendance_get(*, user, attendance_id: int) -> Attendance:
    visible = selectors.cases_visible_to(user)
    rows = Attendance.objects.filter(case__in=visible).select_related("session", "case")
    return _get(rows, attendance_id)


def sessions_visible_to(user) -> QuerySet[Session]:
    """Sessions a visible case attended; each shows only the attendance of visible cases."""
    visible = selectors.cases_visible_to(user)
    return (
        Session.objects.filter(pk__in=Attendance.objects.filter(case__in=visible).values("session"))
        .select_related("facilitator")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.filter(case__in=visible)
                .select_related("case")
                .order_by("id"),
            )
        )
        .order_by("-held_on", "-id")
    )


def session_get(*, user, session_id: int) -> Session:
    return _get(sessions_visible_to(user), session_id)


def follow_ups_visible_to(
    user, *, case_id: int | None = None, status: str = "", overdue: bool | None = None
) -> QuerySet[FollowUp]:
    if case_id is not None:
        cases = Case.objects.filter(pk=selectors.case_get(user=user, case_id=case_id).pk)
    else:
        cases = selectors.cases_visible_to(user)
    follow_ups = FollowUp.objects.filter(case__in=cases).select_related("case")
    if status:
        follow_ups = follow_ups.filter(status=status)
    if overdue is not None:
        from django.utils import timezone

        late = Q(status="pending", due_on__lt=timezone.localdate())
        follow_ups = follow_ups.filter(late) if overdue else follow_ups.exclude(late)
    return follow_ups.order_by("due_on", "id")


def follow_up_get(*, user, follow_up_id: int) -> FollowUp:
    return _get(follow_ups_visible_to(user), follow_up_id)


def referrals_of_case(*, user, case_id: int) -> QuerySet[Referral]:
    case = selectors.case_get(user=user, case_id=case_id)
    return (
        Referral.objects.filter(case=case)
        .select_related("partner", "case")
        .order_by("-referred_on", "-id")
    )


def referral_get(*, user, referral_id: int) -> Referral:
    visible = selectors.cases_visible_to(user)
    return _get(
        Referral.objects.filter(case__in=visible).select_related("partner", "case"), referral_id
    )


def plan_of_case(*, user, case_id: int) -> DevelopmentPlan:
    case = selectors.case_get(user=user, case_id=case_id)
    plans = DevelopmentPlan.objects.select_related("author", "approved_by").prefetch_related(
        Prefetch("goals", queryset=Goal.objects.order_by("id"))
    )
    plan = plans.filter(case=case).first()
    if plan is None:
        raise NotFound()
    return plan


def screening_of_case(*, user, case_id: int) -> HealthScreening:
    case = selectors.case_get(user=user, case_id=case_id)
    screening = HealthScreening.objects.select_related("referred_to").filter(case=case).first()
    if screening is None:
        raise NotFound()
    return screening


def placement_of_case(*, user, case_id: int) -> Placement:
    case = selectors.case_get(user=user, case_id=case_id)
    placement = Placement.objects.filter(case=case).first()
    if placement is None:
        raise NotFound()
    return placement


# -- tasks and notifications ------------------------------------------------------------------


def tasks_of(user) -> QuerySet[CaseTask]:
    """The user's open Viewflow tasks on visible cases, and the pooled tasks they may claim
    (plan approvals for supervisors), oldest first."""
    visible = selectors.cases_visible_to(user).values("pk")
    queue = CaseTask.objects.queue([CaseJourneyFlow], user).values("pk")
    return (
        CaseTask.objects.filter(
            Q(owner=user, status__in=[STATUS.ASSIGNED, STATUS.STARTED]) | Q(pk__in=queue),
            flow_task_type="HUMAN",
            process__flow_class=CaseJourneyFlow,
            process__artifact_content_type__app_label="casework",
            process__artifact_content_type__model="case",
            process__artifact_object_id__in=visible,
        )
        .select_related("process", "owner")
        .order_by("created", "pk")
    )


def cases_of_tasks(tasks) -> dict[int, Case]:
    """The cases of a page of tasks, in one query."""
    ids = {task.process.artifact_object_id for task in tasks}
    return Case.objects.in_bulk(ids)


def notifications_of(user, *, unread: bool | None = None) -> QuerySet[Notification]:
    notifications = notification_selectors.inbox(user=user)
    if unread is not None:
        notifications = notifications.filter(read_at__isnull=unread)
    return notifications


# -- the audit timeline -----------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    record: str
    object_id: int
    history_id: int
    history_date: datetime.datetime
    history_type: str
    history_change_reason: str | None
    history_user: Any


def case_history(*, user, case_id: int) -> list[HistoryEntry]:
    """The history rows of the case, its client and every record attached to it, oldest first.
    One query per kind of record, whatever the length of the history. Who may read it is the
    audit trail's rule (audit.permissions): supervisors and social workers, not mentors."""
    case = case_for_audit(user=user, case_id=case_id)
    plan_ids = DevelopmentPlan.history.filter(case_id=case.pk).values("id")
    session_ids = Attendance.history.filter(case_id=case.pk).values("session_id")
    sources = [
        ("case", Case.history.filter(id=case.pk)),
        ("client", Client.history.filter(id=case.client_id)),
        ("plan", DevelopmentPlan.history.filter(case_id=case.pk)),
        ("goal", Goal.history.filter(plan_id__in=plan_ids)),
        ("session", Session.history.filter(id__in=session_ids)),
        ("attendance", Attendance.history.filter(case_id=case.pk)),
        ("screening", HealthScreening.history.filter(case_id=case.pk)),
        ("placement", Placement.history.filter(case_id=case.pk)),
        ("follow_up", FollowUp.history.filter(case_id=case.pk)),
        ("referral", Referral.history.filter(case_id=case.pk)),
    ]
    entries = [
        HistoryEntry(
            record=record,
            object_id=row.id,
            history_id=row.history_id,
            history_date=row.history_date,
            history_type=row.history_type,
            history_change_reason=row.history_change_reason,
            history_user=row.history_user,
        )
        for record, rows in sources
        for row in rows.select_related("history_user").only(
            "id",
            "history_id",
            "history_date",
            "history_type",
            "history_change_reason",
            "history_user__id",
            "history_user__username",
            "history_user__first_name",
            "history_user__last_name",
        )
    ]
    entries.sort(key=lambda entry: (entry.history_date, entry.record, entry.history_id))
    return entries
