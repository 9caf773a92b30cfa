"""Due dates of the journey's tasks, and which open tasks are overdue.

A task is due a fixed time after the flow opened it (``DUE_AFTER``, per flow node), except the
follow-up task, which is due when the case's earliest pending follow-up is (``FollowUp.due_on``,
end of that day). A task overdue for longer than ``ESCALATION_GRACE`` is escalated to the
supervisors of the case's organisation. ``workflows.overdue`` sends the reminders;
``manage.py notify_overdue`` runs it from cron.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case as DjangoCase
from django.db.models import (
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.status import PROCESS

from casework.journey import Stage
from casework.models import Case, FollowUp, FollowUpStatus

from .engine import OPEN_TASK_STATUSES
from .flows import CaseJourneyFlow
from .models import CaseTask

DAY = datetime.timedelta(days=1)

# Per flow node: how long after the task opens it is due. ``None``: no fixed due date.
DUE_AFTER: dict[str, datetime.timedelta | None] = {
    "intake": 14 * DAY,
    "draft_plan": 21 * DAY,
    "approve_plan": 5 * DAY,
    # Trainings follow the programme's session calendar; the long limit only catches a case
    # that has stalled in the stage.
    "training": 180 * DAY,
    "screening": 30 * DAY,
    "placement": 60 * DAY,
    "follow_up": None,  # due with the case's earliest pending follow-up
}

# How long a task may stay overdue before the organisation's supervisors are told.
ESCALATION_GRACE = 3 * DAY


@dataclass(frozen=True)
class Deadline:
    task: CaseTask
    case: Case
    due_at: datetime.datetime

    def is_overdue(self, now: datetime.datetime) -> bool:
        return now >= self.due_at

    def is_escalated(self, now: datetime.datetime) -> bool:
        return now >= self.due_at + ESCALATION_GRACE

    def days_overdue(self, now: datetime.datetime) -> int:
        return max((now - self.due_at) // DAY, 0)


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day + DAY, datetime.time.min))


def due_at(
    task: CaseTask, *, follow_up_due_on: datetime.date | None = None
) -> datetime.datetime | None:
    """When ``task`` is due; ``None`` when it has no due date."""
    name = task.flow_task.name
    if name == "follow_up":
        return end_of_day(follow_up_due_on) if follow_up_due_on else None
    after = DUE_AFTER.get(name)
    return task.created + after if after else None


def open_deadlines(*, cases=None, owner=None) -> list[Deadline]:
    """Every open human task of an active journey that has a due date, oldest due first;
    only on ``cases`` (a queryset) and of ``owner`` when given. A fixed number of queries,
    whatever the number of tasks."""
    tasks = CaseTask.objects.filter(
        process__flow_class=CaseJourneyFlow,
        process__status=PROCESS.NEW,
        flow_task_type="HUMAN",
        status__in=OPEN_TASK_STATUSES,
    )
    if cases is not None:
        tasks = tasks.filter(process__artifact_object_id__in=cases.values("pk"))
    if owner is not None:
        tasks = tasks.filter(owner=owner)
    tasks = list(tasks.select_related("process", "owner").order_by("pk"))
    case_ids = {task.process.artifact_object_id for task in tasks}
    cases = Case.objects.select_related("organisation").in_bulk(case_ids)
    first_follow_up = dict(
        FollowUp.objects.filter(case_id__in=case_ids, status=FollowUpStatus.PENDING)
        .values("case_id")
        .annotate(first=Min("due_on"))
        .values_list("case_id", "first")
    )
    deadlines = []
    for task in tasks:
        case = cases.get(task.process.artifact_object_id)
        if case is None or not case.is_active:
            continue
        due = due_at(task, follow_up_due_on=first_follow_up.get(case.pk))
        if due is not None:
            deadlines.append(Deadline(task=task, case=case, due_at=due))
    return sorted(deadlines, key=lambda deadline: (deadline.due_at, deadline.task.pk))


def overdue(*, now: datetime.datetime | None = None) -> list[Deadline]:
    now = now or timezone.now()
    return [deadline for deadline in open_deadlines() if deadline.is_overdue(now)]


def most_overdue(*, cases, limit: int, now: datetime.datetime | None = None) -> list[Deadline]:
    """The ``limit`` most overdue open tasks on ``cases`` (a queryset), most overdue first, in
    three bounded queries whatever the number of open tasks: ``open_deadlines`` would load every
    open task of an organisation to keep a handful (the supervisor's home page). The due dates
    are ``due_at``'s: a fixed-delay task is due ``created + DUE_AFTER`` (computed and sorted by
    the database), a follow-up task when its case's earliest pending follow-up is."""
    now = now or timezone.now()

    def open_tasks(stages):
        # Only the cases in the stages these tasks belong to: a follow-up task exists only in
        # follow-up, and closed or suspended cases have none (fewer cases to walk).
        return CaseTask.objects.filter(
            process__flow_class=CaseJourneyFlow,
            process__status=PROCESS.NEW,
            process__artifact_object_id__in=cases.filter(stage__in=stages).values("pk"),
            flow_task_type="HUMAN",
            status__in=OPEN_TASK_STATUSES,
        ).select_related("process", "owner")

    fixed = {
        get_task_ref(getattr(CaseJourneyFlow, node)): after
        for node, after in DUE_AFTER.items()
        if after is not None
    }
    # Overdue by node: opened before ``now - DUE_AFTER`` (an index range on created per node).
    late = Q()
    for ref, after in fixed.items():
        late |= Q(flow_task=ref, created__lte=now - after)
    delay = DjangoCase(
        *(When(flow_task=ref, then=Value(after)) for ref, after in fixed.items()),
        output_field=DurationField(),
    )
    before_follow_up = [stage for stage in Stage.active() if stage != Stage.FOLLOW_UP]
    fixed_late = list(
        open_tasks(before_follow_up)
        .filter(late)
        .annotate(due=ExpressionWrapper(F("created") + delay, output_field=DateTimeField()))
        .order_by("due", "pk")[:limit]
    )
    # Follow-up tasks: due with the case's earliest pending follow-up, once that day is over.
    first_pending = (
        FollowUp.objects.filter(case_id=OuterRef("process__artifact_object_id"))
        .filter(status=FollowUpStatus.PENDING)
        .order_by("due_on")
        .values("due_on")[:1]
    )
    follow_ups_late = list(
        open_tasks([Stage.FOLLOW_UP])
        .filter(flow_task=get_task_ref(CaseJourneyFlow.follow_up))
        .annotate(first_due_on=Subquery(first_pending))
        .filter(first_due_on__lt=timezone.localdate(now))
        .order_by("first_due_on", "pk")[:limit]
    )
    tasks = fixed_late + follow_ups_late
    case_by_id = Case.objects.in_bulk([task.process.artifact_object_id for task in tasks])
    deadlines = []
    for task in tasks:
        case = case_by_id.get(task.process.artifact_object_id)
        due = due_at(task, follow_up_due_on=getattr(task, "first_due_on", None))
        if case is not None and case.is_active and due is not None and now >= due:
            deadlines.append(Deadline(task=task, case=case, due_at=due))
    deadlines.sort(key=lambda deadline: (deadline.due_at, deadline.task.pk))
    return deadlines[:limit]
