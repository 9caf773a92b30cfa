"""Overdue reminders and escalations (``manage.py notify_overdue``, from cron).

Each run, for every open task past its due date (``workflows.deadlines``): the assignee (the
task's owner, or everyone who may claim a pooled task) gets a reminder, at most one per task and
day; once the task is ``ESCALATION_GRACE`` overdue, the supervisors of the case's organisation
(other than those reminded) get one escalation per task, ever. ``OverdueAlert`` rows, unique per
(task, recipient, day) and per escalated task, make a run idempotent and two overlapping runs
safe: the second one's insert fails and it skips that alert.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.roles import Role
from casework.selectors import users_with_queue_permission
from notifications.events import Event
from notifications.models import OverdueAlert
from notifications.publish import notify

from . import deadlines


@dataclass
class OverdueRun:
    overdue_tasks: int = 0
    reminders: int = 0
    escalations: int = 0


def assignees(deadline: deadlines.Deadline) -> list:
    task = deadline.task
    if task.owner_id:
        return [task.owner] if task.owner.is_active else []
    return list(users_with_queue_permission(task.owner_permission, case=deadline.case))


def supervisors_of(organisation_id: int):
    return (
        get_user_model()
        ._default_manager.filter(
            is_active=True,
            groups__name=Role.SUPERVISOR,
            staff_profile__organisation_id=organisation_id,
        )
        .select_related("staff_profile")
        .distinct()
        .order_by("pk")
    )


def notify_overdue(*, now: datetime.datetime | None = None) -> OverdueRun:
    now = now or timezone.now()
    today = timezone.localdate(now)
    run = OverdueRun()
    for deadline in deadlines.overdue(now=now):
        run.overdue_tasks += 1
        with transaction.atomic():
            reminded = assignees(deadline)
            for user in reminded:
                if _claim(deadline, OverdueAlert.Kind.REMINDER, today, recipient=user):
                    _tell(deadline, user, Event.TASK_OVERDUE, {})
                    run.reminders += 1
            if not deadline.is_escalated(now):
                continue
            reminded_ids = {user.pk for user in reminded}
            bosses = [
                u for u in supervisors_of(deadline.case.organisation_id) if u.pk not in reminded_ids
            ]
            if bosses and _claim(deadline, OverdueAlert.Kind.ESCALATION, today):
                owner = deadline.task.owner
                params = {
                    "days": deadline.days_overdue(now),
                    "assignee": (owner.get_full_name() or owner.get_username())
                    if owner
                    else _("the team queue"),
                }
                for boss in bosses:
                    _tell(deadline, boss, Event.TASK_ESCALATED, params)
                run.escalations += 1
    return run


def _claim(deadline, kind: str, today: datetime.date, *, recipient=None) -> bool:
    """Record that this alert is being sent; False when it already was (this run or another)."""
    alert = {"task_id": deadline.task.pk, "kind": kind}
    if kind == OverdueAlert.Kind.REMINDER:
        alert.update(recipient=recipient, on_date=today)
    if OverdueAlert.objects.filter(**alert).exists():
        return False
    try:
        with transaction.atomic():
            OverdueAlert.objects.create(**{"on_date": today, **alert})
    except IntegrityError:
        return False
    return True


def _tell(deadline, recipient, event: Event, extra: dict) -> None:
    case = deadline.case
    notify(
        recipient=recipient,
        event=event,
        params={"task": deadline.task.flow_task.task_title, "case": case.number, **extra},
        url=case.get_absolute_url(),
        case=case,
        task_id=deadline.task.pk,
    )
