"""Every journey transition, through the real services: the new stage, the history row that
records who did it and why, and the Viewflow task that opens next."""

import pytest
from viewflow.workflow.status import STATUS

from casework import services
from casework.journey import Stage
from casework.models import FollowUp, FollowUpKind, FollowUpStatus, Outcome, PlanStatus
from workflows import engine

from ..journey import TODAY, submit_plan, to_stage
from .support import (
    latest_history,
    leave_stage,
    make_ready_to_leave,
    open_task,
    open_task_names,
    reload,
)

pytestmark = pytest.mark.django_db

# stage left, user who takes the step, stage reached, task that opens next, its owner.
ADVANCES = [
    (Stage.INTAKE, "worker", Stage.PLANNING, "draft_plan", "mentor"),
    (Stage.PLANNING, "supervisor", Stage.TRAINING, "training", "mentor"),
    (Stage.TRAINING, "mentor", Stage.SCREENING, "screening", "mentor"),
    (Stage.SCREENING, "mentor", Stage.PLACEMENT, "placement", "mentor"),
    (Stage.PLACEMENT, "mentor", Stage.FOLLOW_UP, "follow_up", "mentor"),
    (Stage.FOLLOW_UP, "mentor", Stage.CLOSED, None, None),
]

# The task each active stage opens, and who owns it (None: the supervisors' pooled queue).
STAGE_TASK = {
    Stage.INTAKE: ("intake", "worker"),
    Stage.PLANNING: ("draft_plan", "mentor"),
    Stage.TRAINING: ("training", "mentor"),
    Stage.SCREENING: ("screening", "mentor"),
    Stage.PLACEMENT: ("placement", "mentor"),
    Stage.FOLLOW_UP: ("follow_up", "mentor"),
}


def _assert_task(case, world, name, owner):
    task = open_task(case)
    assert task.flow_task.name == name
    assert task.owner == (getattr(world, owner) if owner else None)


def test_a_new_case_starts_at_intake_with_the_intake_task_on_its_social_worker(world, case):
    assert case.stage == Stage.INTAKE
    history = latest_history(case)
    assert (history.history_user, history.history_change_reason) == (world.worker, "case.open")
    _assert_task(case, world, "intake", "worker")


@pytest.mark.parametrize(("left", "actor", "reached", "task", "owner"), ADVANCES)
def test_advance_moves_to_the_next_stage_records_history_and_opens_the_next_task(
    world, case, left, actor, reached, task, owner
):
    case = to_stage(case, world, left)
    make_ready_to_leave(case, world)
    left_task = open_task(case)
    history_before = case.history.count()

    case = leave_stage(case, world)

    assert case.stage == reached
    assert case.history.count() == history_before + 1
    history = latest_history(case)
    assert history.stage == reached
    assert history.history_user == getattr(world, actor)
    assert history.history_change_reason == "case.advance"
    # The task of the stage left is done, by the user who moved the case on.
    left_task.refresh_from_db()
    assert left_task.status == STATUS.DONE
    assert left_task.owner == getattr(world, actor)
    if task is None:
        assert open_task_names(case) == set()
        assert engine.active_process(case) is None
    else:
        _assert_task(case, world, task, owner)


def test_advancing_out_of_follow_up_closes_the_case_as_completed(world, case):
    case = to_stage(case, world, Stage.FOLLOW_UP)
    make_ready_to_leave(case, world)

    case = leave_stage(case, world)

    assert (case.stage, case.outcome, case.closed_from) == (
        Stage.CLOSED,
        Outcome.COMPLETED,
        Stage.FOLLOW_UP,
    )
    assert case.closed_on == TODAY


def test_entering_follow_up_schedules_both_follow_ups_at_the_programme_intervals(world, case):
    case = to_stage(case, world, Stage.FOLLOW_UP)

    follow_ups = {f.kind: f for f in case.follow_ups.all()}
    assert set(follow_ups) == {FollowUpKind.FIRST, FollowUpKind.SECOND}
    start = case.placement.exit_recorded_on
    assert (follow_ups[FollowUpKind.FIRST].due_on - start).days == 28
    assert (follow_ups[FollowUpKind.SECOND].due_on - start).days == 182
    assert {f.status for f in follow_ups.values()} == {FollowUpStatus.PENDING}
    scheduled = FollowUp.history.filter(case_id=case.pk)
    assert [(row.history_user, row.history_change_reason) for row in scheduled] == [
        (world.mentor, "follow_up.schedule")
    ] * 2


# -- suspend and resume -------------------------------------------------------------------------


@pytest.mark.parametrize("stage", list(STAGE_TASK))
def test_suspend_cancels_the_flow_and_resume_returns_to_the_stage_it_left(world, case, stage):
    case = to_stage(case, world, stage)

    case = services.case_suspend(
        user=world.worker, case_id=case.pk, reason="In hospital", from_stage=stage
    )

    assert (case.stage, case.suspended_from) == (Stage.SUSPENDED, stage)
    history = latest_history(case)
    assert (history.history_user, history.history_change_reason) == (
        world.worker,
        "case.suspend: In hospital",
    )
    assert open_task_names(case) == set()
    assert engine.active_process(case) is None

    case = services.case_resume(user=world.supervisor, case_id=case.pk)

    assert (case.stage, case.suspended_from) == (stage, "")
    history = latest_history(case)
    assert (history.history_user, history.history_change_reason) == (
        world.supervisor,
        "case.resume",
    )
    assert engine.active_process(case) is not None
    _assert_task(case, world, *STAGE_TASK[stage])


def test_resuming_a_case_whose_plan_awaits_approval_reopens_the_approval_queue(world, case):
    case = to_stage(case, world, Stage.PLANNING)
    submit_plan(case, world)
    services.case_suspend(user=world.worker, case_id=case.pk, reason="Travelling")

    case = services.case_resume(user=world.worker, case_id=case.pk)

    assert case.stage == Stage.PLANNING
    _assert_task(case, world, "approve_plan", None)


def test_a_resumed_case_can_be_suspended_again_and_resumes_to_its_new_stage(world, case):
    case = to_stage(case, world, Stage.TRAINING)
    services.case_suspend(user=world.worker, case_id=case.pk, reason="Ill")
    services.case_resume(user=world.worker, case_id=case.pk)
    case = to_stage(case, world, Stage.SCREENING)
    services.case_suspend(user=world.worker, case_id=case.pk, reason="Ill again")

    case = services.case_resume(user=world.worker, case_id=case.pk)

    assert case.stage == Stage.SCREENING
    _assert_task(case, world, "screening", "mentor")


# -- close early and reopen ---------------------------------------------------------------------


@pytest.mark.parametrize("stage", [Stage.INTAKE, Stage.TRAINING, Stage.FOLLOW_UP])
def test_close_early_from_an_active_stage_records_outcome_and_reason_and_ends_the_flow(
    world, case, stage
):
    case = to_stage(case, world, stage)

    case = services.case_close_early(
        user=world.worker,
        case_id=case.pk,
        outcome=Outcome.MOVED_AWAY,
        reason="Moved to Budapest",
        from_stage=stage,
    )

    assert case.stage == Stage.CLOSED
    assert (case.outcome, case.closure_reason, case.closed_from, case.closed_on) == (
        Outcome.MOVED_AWAY,
        "Moved to Budapest",
        stage,
        TODAY,
    )
    history = latest_history(case)
    assert (history.history_user, history.history_change_reason) == (
        world.worker,
        "case.close_early",
    )
    assert open_task_names(case) == set()
    assert engine.active_process(case) is None


def test_close_early_from_suspended_remembers_the_stage_left_before_suspension(world, case):
    case = to_stage(case, world, Stage.SCREENING)
    services.case_suspend(user=world.worker, case_id=case.pk, reason="No contact")

    case = services.case_close_early(
        user=world.supervisor,
        case_id=case.pk,
        outcome=Outcome.DROPPED_OUT,
        reason="No contact for three months",
        from_stage=Stage.SUSPENDED,
    )

    assert (case.stage, case.closed_from, case.suspended_from) == (
        Stage.CLOSED,
        Stage.SCREENING,
        "",
    )
    assert latest_history(case).history_change_reason == "case.close_early"
    assert latest_history(case).history_user == world.supervisor
    assert open_task_names(case) == set()
    assert engine.active_process(case) is None


@pytest.mark.parametrize("stage", [Stage.INTAKE, Stage.PLANNING, Stage.TRAINING])
def test_reopen_by_a_supervisor_returns_to_the_stage_the_case_left(world, case, stage):
    case = to_stage(case, world, stage)
    services.case_close_early(
        user=world.worker, case_id=case.pk, outcome=Outcome.DROPPED_OUT, reason="Stopped coming"
    )

    case = services.case_reopen(user=world.supervisor, case_id=case.pk, reason="Came back")

    assert case.stage == stage
    assert (case.outcome, case.closure_reason, case.closed_from, case.closed_on) == (
        "",
        "",
        "",
        None,
    )
    history = latest_history(case)
    assert (history.history_user, history.history_change_reason) == (
        world.supervisor,
        "case.reopen: Came back",
    )
    _assert_task(case, world, *STAGE_TASK[stage])


def test_reopen_of_a_case_closed_while_suspended_returns_to_the_stage_before_suspension(
    world, case
):
    case = to_stage(case, world, Stage.PLACEMENT)
    services.case_suspend(user=world.worker, case_id=case.pk, reason="Ill")
    services.case_close_early(
        user=world.worker, case_id=case.pk, outcome=Outcome.OTHER, reason="Long illness"
    )

    case = services.case_reopen(user=world.supervisor, case_id=case.pk, reason="Recovered")

    assert case.stage == Stage.PLACEMENT
    _assert_task(case, world, "placement", "mentor")


def test_reopen_with_to_intake_restarts_the_journey_at_intake(world, case):
    case = to_stage(case, world, Stage.TRAINING)
    services.case_close_early(
        user=world.worker, case_id=case.pk, outcome=Outcome.INELIGIBLE, reason="Wrong data"
    )

    case = services.case_reopen(
        user=world.supervisor, case_id=case.pk, reason="Data corrected", to_intake=True
    )

    assert case.stage == Stage.INTAKE
    assert latest_history(case).history_change_reason == "case.reopen: Data corrected"
    _assert_task(case, world, "intake", "worker")


def test_a_case_reopened_at_intake_needs_its_plan_approved_again_and_can_then_go_on(world, case):
    # An approved plan would leave a case re-entering planning with no way out (only approval
    # leaves planning): reopening at intake sends the plan back to draft.
    case = to_stage(case, world, Stage.TRAINING)
    services.case_close_early(
        user=world.worker, case_id=case.pk, outcome=Outcome.OTHER, reason="Paused the programme"
    )
    services.case_reopen(user=world.supervisor, case_id=case.pk, reason="Back", to_intake=True)
    plan = reload(case).plan
    assert (plan.status, plan.approved_by) == (PlanStatus.DRAFT, None)
    assert plan.history.order_by("-history_id").first().history_change_reason == "plan.reopen"

    case = services.case_advance(user=world.worker, case_id=case.pk, from_stage=Stage.INTAKE)
    _assert_task(case, world, "draft_plan", "mentor")
    services.plan_submit(user=world.mentor, case_id=case.pk)
    services.plan_approve(user=world.supervisor2, case_id=case.pk)

    case = reload(case)
    assert case.stage == Stage.TRAINING
    _assert_task(case, world, "training", "mentor")


def test_reopen_after_a_completed_journey_returns_to_follow_up(world, case):
    case = to_stage(case, world, Stage.CLOSED)

    case = services.case_reopen(user=world.supervisor, case_id=case.pk, reason="Late answer")

    assert (case.stage, case.outcome) == (Stage.FOLLOW_UP, "")
    _assert_task(case, world, "follow_up", "mentor")
    # The follow-ups recorded before closing are kept, not scheduled twice.
    assert case.follow_ups.count() == 2
