"""Keeps ``OpenTask`` in step with Viewflow's task table, in the same transaction.

Every save of a journey's human task (created, assigned, claimed, started, done, cancelled,
reassigned), whoever makes it (our services, Viewflow's own views, the admin), arrives here
through ``post_save``; so does every change of a case's follow-ups, which a follow-up task is
due with. Inside a service the changes are collected and written once at its end
(``kernel.services.at_service_end``): a transition saves its old task three times and its new
one once or twice, and the table gets one DELETE and one upsert for all of them. Outside a
service each change is written at once.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Min
from django.db.models.signals import post_delete, post_save
from viewflow.workflow.models import Task

from casework.models import Case, FollowUp, FollowUpStatus
from kernel import deferred_writes
from kernel.services import at_service_end

from . import deadlines
from .engine import OPEN_TASK_STATUSES
from .flows import CaseJourneyFlow
from .models import OpenTask

FOLLOW_UP_NODE = "follow_up"
_COLUMNS = [
    "task_id",
    "case_id",
    "organisation_id",
    "stage",
    "node",
    "owner_id",
    "owner_permission",
    "created",
    "due_at",
]


def _is_journey_task(task: Task) -> bool:
    if task.flow_task_type != "HUMAN":
        return False
    node = task.flow_task  # resolved from its reference, no query
    return node is not None and node.flow_class is CaseJourneyFlow


def _keep(item) -> None:
    def marker():  # dropped by Django with a rolled-back savepoint, and the item with it
        pass

    transaction.on_commit(marker)
    if not at_service_end(item, flush=_sync, marker=marker):
        _sync([item])


def task_saved(sender, instance, **kwargs) -> None:
    if isinstance(instance, Task) and not kwargs.get("raw") and _is_journey_task(instance):
        _keep(("task", instance, kwargs.get("created", False)))


def follow_up_changed(sender, instance, **kwargs) -> None:
    if not kwargs.get("raw"):
        _keep(("follow_ups", instance.case_id, False))


def _cached_case(task: Task) -> Case | None:
    """The case the service already holds (the engine hands it to the activation), if any."""
    process = task._state.fields_cache.get("process")
    if process is None:
        return None
    case = process._state.fields_cache.get("artifact")
    return case if isinstance(case, Case) else None


def _sync(items: list) -> None:
    tasks: dict[int, Task] = {}
    created: set[int] = set()
    follow_up_cases: set[int] = set()
    for kind, value, is_new in items:
        if kind == "task":
            tasks[value.pk] = value  # the last save of a task is its state
            if is_new:
                created.add(value.pk)
        else:
            follow_up_cases.add(value)
    open_tasks = [task for task in tasks.values() if task.status in OPEN_TASK_STATUSES]
    closed = {pk for pk, task in tasks.items() if task.status not in OPEN_TASK_STATUSES}
    rows = _rows_for(open_tasks) if open_tasks else []
    # A transition closes its process's task and opens the next one: the closed task's row
    # becomes the new task's, one UPDATE where a DELETE and an INSERT would be two statements.
    closed_in_process = {tasks[pk].process_id: pk for pk in closed}
    to_upsert = []
    for row in rows:
        task = tasks[row.task_id]
        old = closed_in_process.pop(task.process_id, None) if row.task_id in created else None
        if old is not None and connection.vendor == "postgresql":
            _move_deferred(old, row)
            closed.discard(old)
        elif old is not None and OpenTask.objects.filter(task_id=old).update(
            **{name: getattr(row, name) for name in _COLUMNS}
        ):
            closed.discard(old)
        else:
            to_upsert.append(row)
    if closed:
        OpenTask.objects.filter(task_id__in=closed)._raw_delete(OpenTask.objects.db)
    if to_upsert:
        OpenTask.objects.bulk_create(
            to_upsert,
            update_conflicts=True,
            unique_fields=["task"],
            update_fields=[name.removesuffix("_id") for name in _COLUMNS if name != "task_id"],
        )
    # Follow-up changes of cases whose follow-up task was written just now are already in.
    written = {row.case_id for row in rows if row.node == FOLLOW_UP_NODE}
    for case_id in follow_up_cases - written:
        OpenTask.objects.filter(case_id=case_id, node=FOLLOW_UP_NODE).update(
            due_at=_follow_up_due(case_id)
        )


def _move_deferred(old_task_id: int, row: OpenTask) -> None:
    """PostgreSQL: the done task's row gone and the new task's written, as deferred writes
    (``kernel.deferred_writes``: nothing reads them before the service ends, so they ride with
    its next statement)."""
    quote = connection.ops.quote_name
    table = OpenTask._meta.db_table
    fields = [OpenTask._meta.get_field(name.removesuffix("_id")) for name in _COLUMNS]
    columns = [field.column for field in fields]
    insert = "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}".format(
        quote(table),
        ", ".join(map(quote, columns)),
        ", ".join(["%s"] * len(columns)),
        quote("task_id"),
        ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in columns if c != "task_id"),
    )
    values = [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
    deferred_writes.defer(
        (f"DELETE FROM {quote(table)} WHERE {quote('task_id')} = %s", [old_task_id]),
        (insert, values),
        tables={table},
    )


def _follow_up_due(case_id: int):
    first = _first_pending([case_id]).get(case_id)
    return deadlines.end_of_day(first) if first else None


def _rows_for(tasks: list[Task]) -> list[OpenTask]:
    """The rows of these open tasks: the cases from the service's own instances where it holds
    them, the others in one query; the follow-up dates in one more, when a follow-up task is
    among them."""
    cases = {case.pk: case for case in map(_cached_case, tasks) if case is not None}
    missing = {task.process.artifact_object_id for task in tasks} - set(cases)
    if missing:
        cases |= Case.objects.only("id", "organisation_id", "stage").in_bulk(missing)
    follow_up_cases = {
        task.process.artifact_object_id for task in tasks if task.flow_task.name == FOLLOW_UP_NODE
    }
    return _rows(tasks, cases, _first_pending(follow_up_cases) if follow_up_cases else {})


def _first_pending(case_ids) -> dict:
    """``{case id: due date of its earliest pending follow-up}``, in one query."""
    return dict(
        FollowUp.objects.filter(case_id__in=case_ids, status=FollowUpStatus.PENDING)
        .values("case_id")
        .annotate(first=Min("due_on"))
        .values_list("case_id", "first")
    )


def _rows(tasks: list[Task], cases: dict[int, Case], first_pending: dict) -> list[OpenTask]:
    rows = []
    for task in tasks:
        case = cases.get(task.process.artifact_object_id)
        if case is None:
            continue
        rows.append(
            OpenTask(
                task_id=task.pk,
                case_id=case.pk,
                organisation_id=case.organisation_id,
                stage=case.stage,
                node=task.flow_task.name,
                owner_id=task.owner_id,
                owner_permission=task.owner_permission or "",
                created=task.created,
                due_at=deadlines.due_at(task, follow_up_due_on=first_pending.get(case.pk)),
            )
        )
    return rows


def connect() -> None:
    # No sender: Viewflow saves ``Task`` and our proxy ``CaseTask`` alike (a proxy's save
    # sends its own class).
    post_save.connect(task_saved, dispatch_uid="workflows.open_tasks.task_saved")
    for signal in (post_save, post_delete):
        signal.connect(
            follow_up_changed,
            sender=FollowUp,
            dispatch_uid=f"workflows.open_tasks.follow_up_{signal is post_save}",
        )


def rebuild(*, batch_size: int = 2000) -> int:
    """Write the table afresh from Viewflow's tasks (after a bulk load that bypassed the
    signals, such as the benchmark's dataset). Answers the number of open tasks."""
    with transaction.atomic():
        OpenTask.objects.all()._raw_delete(OpenTask.objects.db)
        tasks = (
            Task.objects.filter(
                process__flow_class=CaseJourneyFlow,
                flow_task_type="HUMAN",
                status__in=OPEN_TASK_STATUSES,
            )
            .select_related("process")
            .order_by("pk")
        )
        count, batch = 0, []
        for task in tasks.iterator(chunk_size=batch_size):
            batch.append(task)
            if len(batch) == batch_size:
                count += _rebuild_batch(batch)
                batch = []
        if batch:
            count += _rebuild_batch(batch)
        return count


def _rebuild_batch(tasks: list[Task]) -> int:
    case_ids = {task.process.artifact_object_id for task in tasks}
    cases = Case.objects.only("id", "organisation_id", "stage").in_bulk(case_ids)
    rows = _rows(tasks, cases, _first_pending(case_ids))
    OpenTask.objects.bulk_create(rows)
    return len(rows)
