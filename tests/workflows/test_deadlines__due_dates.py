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


# --- the most overdue tasks, bounded in the database ------------------------------------------


def _backdate(case, days: int) -> None:
    """Make the case's open task look as if it opened ``days`` ago."""
    from workflows.models import CaseTask

    task = open_task(case)
    CaseTask.objects.filter(pk=task.pk).update(created=task.created - days * DAY)


def test_the_most_overdue_tasks_agree_with_the_due_dates_of_every_open_task(world, case):
    from casework.models import Case, FollowUp

    others = [
        services.case_open(
            user=world.worker,
            client_id=new_client(world, family_name=f"Late{n}").pk,
            programme_id=world.programme.pk,
        )
        for n in range(4)
    ]
    stages = [Stage.INTAKE, Stage.PLANNING, Stage.SCREENING, Stage.FOLLOW_UP, Stage.PLACEMENT]
    for n, (each, stage) in enumerate(zip([case, *others], stages, strict=True)):
        to_stage(each, world, stage)
        _backdate(each, 40 + 30 * n)
    follow_up_case = Case.objects.get(pk=others[2].pk)
    FollowUp.objects.filter(case=follow_up_case).update(due_on=TODAY - 3 * DAY)
    visible = Case.objects.filter(organisation=world.org)

    expected = [
        (d.task.pk, d.due_at)
        for d in deadlines.open_deadlines(cases=visible)
        if d.is_overdue(timezone.now())
    ]
    assert len(expected) >= 4  # intake, planning, screening, placement late; follow-up late
    got = [(d.task.pk, d.due_at) for d in deadlines.most_overdue(cases=visible, limit=30)]
    assert got == expected
    assert [(d.task.pk, d.due_at) for d in deadlines.most_overdue(cases=visible, limit=2)] == (
        expected[:2]
    )


def test_the_most_overdue_tasks_take_three_queries_whatever_their_number(world):
    from casework.models import Case

    visible = Case.objects.filter(organisation=world.org)

    def queries(count):
        for n in range(count):
            each = services.case_open(
                user=world.worker,
                client_id=new_client(world, family_name=f"Q{count}{n}").pk,
                programme_id=world.programme.pk,
            )
            _backdate(each, 30)
        with CaptureQueriesContext(connection) as captured:
            late = deadlines.most_overdue(cases=visible, limit=30)
        return len(captured.captured_queries), len(late)

    few, few_late = queries(2)
    many, many_late = queries(6)
    assert (few, many) == (3, 3)
    assert (few_late, many_late) == (2, 8)


def test_suspended_cases_and_tasks_not_yet_due_are_not_overdue(world, case):
    from casework.models import Case

    to_stage(case, world, Stage.TRAINING)  # due after 180 days: not late after 40
    _backdate(case, 40)
    other = services.case_open(
        user=world.worker,
        client_id=new_client(world, family_name="Paused").pk,
        programme_id=world.programme.pk,
    )
    _backdate(other, 40)
    services.case_suspend(user=world.worker, case_id=other.pk, reason="moved away")
    assert deadlines.most_overdue(cases=Case.objects.all(), limit=30) == []
