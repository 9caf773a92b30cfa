"""Reads of the flow's tasks for the home pages, always through the user's visible cases."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from viewflow.workflow.status import STATUS

from casework.models import Case
from casework.selectors import cases_visible_to

from . import deadlines
from .flows import CaseJourneyFlow
from .models import CaseTask


def _with_cases(tasks) -> list[tuple[CaseTask, Case]]:
    """Pair tasks with their cases (and clients) in one extra query."""
    tasks = list(tasks)
    cases = Case.objects.select_related("client").in_bulk(
        [task.process.artifact_object_id for task in tasks]
    )
    return [(task, cases.get(task.process.artifact_object_id)) for task in tasks]


def my_open_tasks(
    *, user, limit: int = 50, now: datetime.datetime | None = None
) -> list[tuple[CaseTask, Case, Any, bool]]:
    """``(task, case, due at, overdue)`` of the user's own open tasks, those due first."""
    now = now or timezone.now()
    visible = cases_visible_to(user)
    due = {d.task.pk: d.due_at for d in deadlines.open_deadlines(cases=visible, owner=user)}
    tasks = (
        CaseTask.objects.filter(
            owner=user,
            status=STATUS.ASSIGNED,
            flow_task_type="HUMAN",
            process__artifact_object_id__in=visible.values("pk"),
        )
        .select_related("process")
        .order_by("created")[:limit]
    )
    mine = sorted(tasks, key=lambda task: (task.pk not in due, due.get(task.pk, now), task.pk))
    return [
        (task, case, due.get(task.pk), due.get(task.pk, now) < now)
        for task, case in _with_cases(mine)
    ]


def plans_waiting_for(*, user, limit: int = 20) -> list[tuple[CaseTask, Case, None, bool]]:
    """The plan approvals in this supervisor's queue, newest first."""
    # Not Viewflow's queue() itself: its "or no permission at all" branch makes PostgreSQL walk
    # every case of the organisation; every pooled task of the journey carries a permission
    # (flows.py), so asking for the user's permissions alone is the same set, read from the
    # (status, owner_permission, created) index of workflows_task.
    queue = CaseTask.objects.filter(
        process__flow_class=CaseJourneyFlow,
        process__artifact_object_id__in=cases_visible_to(user).values("pk"),
        flow_task_type="HUMAN",
        status=STATUS.NEW,
        owner_permission__in=user.get_all_permissions(),
    ).order_by("-created", "-pk")
    return [
        (task, case, None, False)
        for task, case in _with_cases(queue.select_related("process")[:limit])
    ]
