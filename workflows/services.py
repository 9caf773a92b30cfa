"""Writes of the task inbox: taking a pooled task and giving it back to the queue.

A pooled task (a plan waiting for approval) is offered to every supervisor of the case's
organisation; the one who takes it is its owner from then on, and it leaves the others'
queue. Both go under the case's row lock, the lock every journey change takes
(``workflows.locks``), so a claim cannot land on a task an approval has just finished.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from viewflow.workflow.status import STATUS

from casework.selectors import cases_visible_to
from kernel.errors import NotAllowed, NotFound, StageConflict
from kernel.services import service

from .models import CaseTask


def _locked_task(*, user, task_id: int) -> CaseTask:
    task = CaseTask.objects.select_related("process").filter(pk=task_id).first()
    if task is None or task.flow_task_type != "HUMAN":
        raise NotFound()
    case = (
        cases_visible_to(user)
        .select_for_update(of=("self",))
        .filter(pk=task.process.artifact_object_id)
        .first()
    )
    if case is None:
        raise NotFound()
    task.refresh_from_db(fields=["status", "owner"])  # as it stands under the lock
    task.process.artifact = case
    return task


@service
def task_claim(*, user, task_id: int) -> CaseTask:
    """Take a pooled task from the team's queue."""
    task = _locked_task(user=user, task_id=task_id)
    if task.status != STATUS.NEW or task.owner_id is not None:
        raise StageConflict(_("Someone has already taken this task."))
    if not task.flow_task.can_assign(user, task):
        raise NotAllowed(_("This task is offered to another role or organisation."))
    task.flow_task.activation_class(task).assign(user)
    return task


@service
def task_release(*, user, task_id: int) -> CaseTask:
    """Give a task taken from the queue back to it, for a colleague to take."""
    task = _locked_task(user=user, task_id=task_id)
    if task.status != STATUS.ASSIGNED or task.owner_id != user.pk:
        raise StageConflict(_("This task is no longer yours to give back."))
    if not task.owner_permission or not task.flow_task.can_unassign(user, task):
        raise NotAllowed(_("Only a task taken from a queue can be given back."))
    task.flow_task.activation_class(task).unassign()
    return task
