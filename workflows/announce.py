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


def _tell(user, event: Event, task: CaseTask, case) -> None:
    notify(
        recipient=user,
        event=event,
        params={"task": task.flow_task.task_title, "case": case.number},
        url=case.get_absolute_url(),
        case=case,
        task_id=task.pk,
    )


def announce_task(task: CaseTask) -> None:
    """Tell whoever must do a new task: its owner, or every supervisor able to claim it."""
    case = task.process.artifact
    if task.owner_id:
        _tell(task.owner, Event.TASK_ASSIGNED, task, case)
        return
    for user in users_with_queue_permission(task.owner_permission, case=case):
        _tell(user, Event.TASK_QUEUED, task, case)


def announce_reassignment(task: CaseTask, case, *, from_user, to_user) -> None:
    """The previous owner's announcement of ``task`` is withdrawn; the new owner is told."""
    _tell(from_user, Event.TASK_REASSIGNED, task, case)
    _tell(to_user, Event.TASK_ASSIGNED, task, case)
