"""The narrow API the casework services use to drive the flow (plugged into
``casework.journey_flow`` by ``WorkflowsConfig.ready``).

Completing a task here mirrors Viewflow's own execute view: under the flow lock and a
transaction, build the activation, claim the task if it is pooled, start it and execute it, which
runs ``route`` and creates the next task. Permissions are the services' business: Viewflow's task
ownership only records who did the work, so the task is handed to whoever the service allowed to
act.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from viewflow.workflow.status import PROCESS, STATUS

from casework.auth import TAKE_OVER_WORK, organisation_queue_permission

from .announce import announce_reassignment, announce_task
from .flows import CaseJourneyFlow
from .models import CaseProcess, CaseTask
from .stage_tasks import STAGE_TASKS

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


class FlowOutOfStep(RuntimeError):
    """The case's process does not have the task its stage needs. A bug, never user input."""


def processes_of(case) -> CaseProcess:
    return CaseProcess.objects.filter(
        flow_class=CaseJourneyFlow,
        artifact_content_type__app_label="casework",
        artifact_content_type__model="case",
        artifact_object_id=case.pk,
    )


def active_process(case) -> CaseProcess | None:
    return processes_of(case).filter(status=PROCESS.NEW).order_by("-pk").first()


def open_tasks(case):
    """The case's human tasks waiting for someone."""
    return (
        CaseTask.objects.filter(
            process__in=processes_of(case).filter(status=PROCESS.NEW),
            flow_task_type="HUMAN",
            status__in=OPEN_TASK_STATUSES,
        )
        .select_related("owner")
        .order_by("pk")
    )


def start_journey(case) -> CaseProcess:
    """Start a process for ``case``; ``route`` opens the task its stage needs."""
    if active_process(case) is not None:
        raise FlowOutOfStep(f"case {case.pk} already has an active process")
    return CaseJourneyFlow.start.run(case=case)


def stop_journey(case) -> None:
    """Cancel the active process (suspension or closure): its open task disappears from inboxes."""
    process = active_process(case)
    if process is not None:
        CaseJourneyFlow.instance.cancel(process)


def complete_task(case, *, user, node_names: set[str] | None = None) -> CaseTask:
    """Complete the open task of ``case`` (one of ``node_names``, default: any the stage allows)
    as done by ``user``, and let the flow open the next one.

    The caller holds the case's row lock (services load the case with ``select_for_update``),
    which is the flow's lock too (``workflows.locks``): taking it again would only add a
    savepoint pair and a round trip to every transition."""
    allowed = node_names or STAGE_TASKS[case.stage]
    # The open tasks with their process, in one query (the active process is theirs).
    tasks = [
        task
        for task in CaseTask.objects.filter(
            process__flow_class=CaseJourneyFlow,
            process__artifact_content_type=ContentType.objects.get_for_model(case),
            process__artifact_object_id=case.pk,
            process__status=PROCESS.NEW,
            flow_task_type="HUMAN",
            status__in=OPEN_TASK_STATUSES,
        )
        .select_related("process", "owner")
        .order_by("pk")
        if task.flow_task.name in allowed
    ]
    if not tasks:
        raise FlowOutOfStep(f"case {case.pk} has no open task among {sorted(allowed)}")
    task = tasks[0]
    with transaction.atomic(savepoint=False):
        # The activation and ``route`` read the process and its case: hand them the case the
        # service has just locked and saved (as ``start_journey`` does) instead of loading it,
        # and its mentor, again. The plan is left to be read fresh: ``route`` asks for its
        # status, which the service may have changed on another instance.
        case._state.fields_cache.pop("plan", None)
        task.process.artifact = case
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.NEW:
            activation.assign(user)
        elif task.owner_id != user.pk:
            task.owner = user
        activation.start(None)
        activation.execute()
        return task


def complete_stage_task(case, *, user, stage: str) -> CaseTask:
    """Complete the open task of ``stage``, the stage the case has just left."""
    return complete_task(case, user=user, node_names=STAGE_TASKS[stage])


def _take_over_queue(case) -> str:
    return organisation_queue_permission(TAKE_OVER_WORK, case.organisation_id)


def reassign_open_tasks(case, *, from_user, to_user) -> list[CaseTask]:
    """Give ``from_user``'s open tasks on ``case`` to ``to_user`` (a new mentor), and with them
    the case's tasks waiting in the take-over queue since their owner left."""
    moved = []
    process = active_process(case)
    if process is None:
        return moved
    with CaseJourneyFlow.lock(process.pk), transaction.atomic():
        for task in open_tasks(case).filter(owner__isnull=True, status=STATUS.NEW):
            if task.owner_permission == _take_over_queue(case):
                task.owner, task.owner_permission, task.status = to_user, None, STATUS.ASSIGNED
                task.save(update_fields=["owner", "owner_permission", "status"])
                moved.append(task)
                announce_task(task)
        if from_user is None:
            return moved
        for task in open_tasks(case).filter(owner=from_user):
            task.owner = to_user
            task.save(update_fields=["owner"])
            moved.append(task)
            announce_reassignment(task, case, from_user=from_user, to_user=to_user)
    return moved


def release_open_tasks(user) -> list[CaseTask]:
    """Put every open journey task ``user`` owns into the take-over queue of its case's
    organisation (the account is being deactivated): the organisation's supervisors are told
    and may claim it, and the next mentor assigned to the case takes it over.

    The caller runs in a transaction; each case's row is locked (the flow's lock) while its
    tasks move, as every service that touches a case's tasks does."""
    released = []
    tasks = (
        CaseTask.objects.filter(
            owner=user,
            flow_task_type="HUMAN",
            status__in=OPEN_TASK_STATUSES,
            process__flow_class=CaseJourneyFlow,
            process__status=PROCESS.NEW,
        )
        .select_related("process")
        .order_by("process_id", "pk")
    )
    for task in tasks:
        case = task.process.artifact
        with CaseJourneyFlow.lock(task.process_id):
            task.owner, task.owner_permission, task.status = (
                None,
                _take_over_queue(case),
                STATUS.NEW,
            )
            task.save(update_fields=["owner", "owner_permission", "status"])
        announce_task(task)
        released.append(task)
    return released
