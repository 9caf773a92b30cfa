"""Telling people about tasks: a new task to whoever must do it, a moved task to both owners.

Every task is announced the moment the flow creates it (the nodes' ``onCreate``), inside the
service's transaction; ``notifications.publish`` pushes after commit, so a rolled-back
transition announces nothing.
"""

from __future__ import annotations

from casework.selectors import users_with_queue_permission
from notifications.events import Event
from notifications.publish import notify

from .models import CaseTask


def _params(task: CaseTask, case) -> dict:
    return {"task": task.flow_task.task_title, "case": case.number}


def announce_task(task: CaseTask) -> None:
    """Tell whoever must do a new task: its owner, or every supervisor able to claim it."""
    case = task.process.artifact
    recipients = (
        [task.owner]
        if task.owner_id
        else users_with_queue_permission(task.owner_permission, case=case)
    )
    event = Event.TASK_ASSIGNED if task.owner_id else Event.TASK_QUEUED
    for user in recipients:
        notify(
            recipient=user,
            event=event,
            params=_params(task, case),
            url=case.get_absolute_url(),
            case=case,
            task_id=task.pk,
        )


def announce_reassignment(task: CaseTask, case, *, from_user, to_user) -> None:
    """The previous owner's announcement of ``task`` is withdrawn; the new owner is told."""
    for user, event in ((from_user, Event.TASK_REASSIGNED), (to_user, Event.TASK_ASSIGNED)):
        notify(
            recipient=user,
            event=event,
            params=_params(task, case),
            url=case.get_absolute_url(),
            case=case,
            task_id=task.pk,
        )
