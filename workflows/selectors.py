"""Reads of the journey's open tasks for the home pages and the task inbox.

Each box is one range of an ``OpenTask`` index with a LIMIT (``workflows.open_tasks`` keeps
the table in step with Viewflow's tasks). A task's owner is the person a service gave it to,
after checking they may act on the case (and a new mentor takes their predecessor's tasks), so
"owned by the user" is already the user's scope; a pooled task is offered by a permission that
names the organisation (``casework.auth``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from casework.models import Case

from .models import OpenTask

# Due first; a task without a due date after those with one, then the oldest.
DUE_FIRST = (F("due_at").asc(nulls_last=True), "task_id")


def _organisation_id(user) -> int | None:
    profile = getattr(user, "staff_profile", None) if user.is_active else None
    return profile.organisation_id if profile else None


def _boxed(rows: QuerySet[OpenTask]) -> QuerySet[OpenTask]:
    return rows.select_related("task", "case__client", "owner")


def mine(*, user) -> QuerySet[OpenTask]:
    """The user's own open tasks, those due first."""
    if not user.is_active:
        return OpenTask.objects.none()
    return _boxed(OpenTask.objects.filter(owner=user)).order_by(*DUE_FIRST)


def claimable(*, user) -> QuerySet[OpenTask]:
    """The pooled tasks of the user's organisation that the user may take, newest first."""
    organisation_id = _organisation_id(user)
    if organisation_id is None:
        return OpenTask.objects.none()
    rows = OpenTask.objects.filter(
        organisation_id=organisation_id,
        owner__isnull=True,
        owner_permission__in=user.get_all_permissions(),
    )
    return _boxed(rows).order_by("-created", "-task_id")


def team(*, user, overdue_at: datetime.datetime | None = None) -> QuerySet[OpenTask]:
    """Every open task of the supervisor's organisation, those due first (only the overdue
    ones, most overdue first, when ``overdue_at`` is given)."""
    organisation_id = _organisation_id(user)
    if organisation_id is None:
        return OpenTask.objects.none()
    rows = OpenTask.objects.filter(organisation_id=organisation_id)
    if overdue_at is not None:
        rows = rows.filter(due_at__lte=overdue_at)
    return _boxed(rows).order_by(*DUE_FIRST)


def _as_rows(rows, now) -> list[tuple[Any, Case, Any, bool]]:
    return [
        (row.task, row.case, row.due_at, row.due_at is not None and row.due_at <= now)
        for row in rows
    ]


def my_open_tasks(
    *, user, limit: int = 50, now: datetime.datetime | None = None
) -> list[tuple[Any, Case, Any, bool]]:
    """``(task, case, due at, overdue)`` of the user's own open tasks, those due first."""
    now = now or timezone.now()
    return _as_rows(mine(user=user)[:limit], now)


def plans_waiting_for(*, user, limit: int = 20) -> list[tuple[Any, Case, None, bool]]:
    """The plan approvals (and any other pooled task) in this supervisor's queue, newest
    first."""
    return [(row.task, row.case, None, False) for row in claimable(user=user)[:limit]]


def team_overdue(*, user, limit: int = 30, now: datetime.datetime | None = None) -> list[OpenTask]:
    """The ``limit`` most overdue open tasks of the supervisor's organisation."""
    return list(team(user=user, overdue_at=now or timezone.now())[:limit])
