"""Task due dates: a fixed time after the task opens, per flow node; the follow-up task is due
with the case's earliest pending follow-up."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework import services
from casework.journey import Stage
from casework.models import ExitOutcome, FollowUpStatus
from workflows import deadlines, engine

from ..conftest import new_client
from ..journey import TODAY, complete_intake, submit_plan, to_stage

pytestmark = pytest.mark.django_db


def open_task(case):
    (task,) = engine.open_tasks(case)
    return task


DAY = datetime.timedelta(days=1)


def _deadline(case):
    (deadline,) = [d for d in deadlines.open_deadlines() if d.case.pk == case.pk]
    return deadline


@pytest.mark.parametrize(
    ("stage", "node", "days"),
    [
        (Stage.INTAKE, "intake", 14),
        (Stage.PLANNING, "draft_plan", 21),
        (Stage.TRAINING, "training", 180),
        (Stage.SCREENING, "screening", 30),
        (Stage.PLACEMENT, "placement", 60),
    ],
)
def test_a_task_is_due_a_fixed_time_after_it_opened(world, case, stage, node, days):
    to_stage(case, world, stage)
    deadline = _deadline(case)
    assert deadline.task.flow_task.name == node
    assert deadline.due_at == deadline.task.created + days * DAY
    assert deadlines.DUE_AFTER[node] == days * DAY


def test_plan_approval_is_due_five_days_after_submission(world, case):
    complete_intake(case, world)
    submit_plan(case, world)
    deadline = _deadline(case)
    assert deadline.task.flow_task.name == "approve_plan"
    assert deadline.due_at == deadline.task.created + 5 * DAY


def test_the_follow_up_task_is_due_at_the_end_of_the_earliest_pending_follow_up(world, case):
    to_stage(case, world, Stage.FOLLOW_UP)
    first, second = case.follow_ups.order_by("due_on")
    assert _deadline(case).due_at == deadlines.end_of_day(first.due_on)
    assert timezone.localtime(_deadline(case).due_at).time() == datetime.time.min
    services.follow_up_record(
        user=world.mentor,
        follow_up_id=first.pk,
        status=FollowUpStatus.REACHED,
        contacted_on=TODAY,
        situation=ExitOutcome.EMPLOYED,
    )
    assert _deadline(case).due_at == deadlines.end_of_day(second.due_on)


def test_a_task_is_overdue_from_its_due_moment_and_escalated_after_the_grace(world, case):
    deadline = _deadline(case)
    assert not deadline.is_overdue(deadline.due_at - datetime.timedelta(seconds=1))
    assert deadline.is_overdue(deadline.due_at)
    assert not deadline.is_escalated(deadline.due_at + deadlines.ESCALATION_GRACE - DAY)
    assert deadline.is_escalated(deadline.due_at + deadlines.ESCALATION_GRACE)
    assert deadline.days_overdue(deadline.due_at + 4 * DAY + datetime.timedelta(hours=3)) == 4
    assert deadlines.overdue(now=deadline.due_at) == [deadline]
    assert deadlines.overdue(now=deadline.due_at - DAY) == []


def test_a_suspended_case_has_no_deadline(world, case):
    services.case_suspend(user=world.worker, case_id=case.pk, reason="in hospital")
    assert deadlines.open_deadlines() == []


def test_listing_deadlines_takes_the_same_queries_for_one_case_or_many(world, case):
    to_stage(case, world, Stage.FOLLOW_UP)
    with CaptureQueriesContext(connection) as one:
        deadlines.open_deadlines()
    for n in range(3):
        client = new_client(world, family_name=f"Other{n}")
        other = services.case_open(
            user=world.worker, client_id=client.pk, programme_id=world.programme.pk
        )
        to_stage(other, world, [Stage.PLANNING, Stage.TRAINING, Stage.FOLLOW_UP][n])
    with CaptureQueriesContext(connection) as many:
        assert len(deadlines.open_deadlines()) == 4
    assert len(many) == len(one)
    assert open_task(case).flow_task.name == "follow_up"
