"""A journey transition costs a fixed, small number of queries (BENCHMARKS.md, P1): the case
row lock, the guard, the case and its history row and audit link, the flow's task rows and the
notifications. The budget is exact so that a new query on this path is a decision, not an
accident; the statements are listed in BENCHMARKS.md."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.transition import request_user
from casework import services
from casework.journey import Stage
from casework.models import Case

from ..journey import to_stage
from .support import make_ready_to_leave

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")


def statements_expected() -> int:
    """screening -> placement by the case's mentor, loaded (as by a request) with their roles:
    the case, locked, with its people and its screening (the guard reads it); the case UPDATE
    and its history row; the audit chain's head, locked; the open task with its process; the
    task done; the placement task; the notifications of the social worker and the mentor, in
    one INSERT. On PostgreSQL the writes nobody reads back ride with the next write
    (kernel/deferred_writes.py): the chain link and the head moved on, with the task's UPDATE;
    the new task's "previous" row and the task boxes' row moved from the done task to the new
    one (workflows/open_tasks.py), with the notifications. SQLite sends those four on their
    own (the link and its head are two there)."""
    return 8 if connection.vendor == "postgresql" else 12


@pytest.mark.django_db
def test_leaving_screening_takes_a_fixed_number_of_statements(world, case):
    case = to_stage(case, world, Stage.SCREENING)
    make_ready_to_leave(case, world)
    ContentType.objects.get_for_model(Case)  # cached for the process's life, as in a server
    mentor = request_user(world.mentor.pk)  # as a request loads it, with its roles
    with CaptureQueriesContext(connection) as captured:
        services.case_advance(user=mentor, case_id=case.pk, from_stage=Stage.SCREENING)
    statements = [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].lstrip().upper().startswith(TRANSACTION_CONTROL)
    ]
    assert len(statements) == statements_expected(), "\n".join(s[:120] for s in statements)


@pytest.mark.django_db
def test_the_writes_that_ride_with_others_are_all_made(world, case):
    """The budget above is met by sending some writes with others, not by leaving them out:
    the new task is linked to the one done, the task boxes follow, the audit chain verifies."""
    from viewflow.workflow.models import Task

    from audit import verify
    from workflows.models import OpenTask

    case = to_stage(case, world, Stage.SCREENING)
    make_ready_to_leave(case, world)
    done = Task.objects.get(process__artifact_object_id=case.pk, status="ASSIGNED")
    services.case_advance(user=world.mentor, case_id=case.pk, from_stage=Stage.SCREENING)
    placement = Task.objects.get(process__artifact_object_id=case.pk, status="ASSIGNED")
    assert placement.flow_task.name == "placement"
    assert list(placement.previous.all()) == [done]
    assert list(OpenTask.objects.filter(case=case).values_list("task_id", "stage")) == [
        (placement.pk, Stage.PLACEMENT)
    ]
    assert verify.verify().ok
