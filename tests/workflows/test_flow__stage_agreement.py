"""The flow and the stage never disagree: after every step of a journey (suspensions, a returned
plan, a reassigned mentor, closing and reopening included) the case's open tasks are among
``STAGE_TASKS[case.stage]``, exactly one while the case is active and none otherwise."""

import random

import pytest
from viewflow.workflow.status import PROCESS

from casework import services
from casework.journey import Stage
from casework.models import DevelopmentPlan, FollowUp, FollowUpStatus, Outcome, PlanStatus
from workflows import deadlines, engine
from workflows.models import OpenTask
from workflows.stage_tasks import STAGE_TASKS

from ..casework.support import (
    leave_stage,
    make_ready_to_leave,
    open_task_names,
    reload,
    with_the_cases_mentor,
)
from ..journey import submit_plan

pytestmark = pytest.mark.django_db

# Who must own the open task of each node (None: the supervisors' pooled queue).
TASK_OWNER = {
    "intake": lambda case: case.social_worker,
    "draft_plan": lambda case: case.mentor,
    "approve_plan": lambda case: None,
    "training": lambda case: case.mentor,
    "screening": lambda case: case.mentor,
    "placement": lambda case: case.mentor,
    "follow_up": lambda case: case.mentor,
}


def assert_flow_agrees(case, step: str = "") -> None:
    case = reload(case)
    names = open_task_names(case)
    assert names <= STAGE_TASKS[case.stage], (step, case.stage, names)
    assert len(names) == (1 if case.is_active else 0), (step, case.stage, names)
    running = engine.processes_of(case).filter(status=PROCESS.NEW).count()
    assert running == (1 if case.is_active else 0), (step, case.stage, running)
    for task in engine.open_tasks(case):
        assert task.owner == TASK_OWNER[task.flow_task.name](case), (step, task.flow_task.name)
    assert_task_boxes_agree(case, step)
    if case.stage == Stage.PLANNING:
        plan = DevelopmentPlan.objects.filter(case=case).first()
        submitted = plan is not None and plan.status == PlanStatus.SUBMITTED
        assert names == ({"approve_plan"} if submitted else {"draft_plan"}), step


def assert_task_boxes_agree(case, step: str = "") -> None:
    """The task boxes' table (OpenTask) holds exactly the case's open tasks, as Viewflow has
    them, with the case's organisation and stage and the due date workflows.deadlines gives."""
    first_pending = (
        FollowUp.objects.filter(case=case, status=FollowUpStatus.PENDING)
        .order_by("due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    expected = {
        (
            task.pk,
            case.organisation_id,
            case.stage,
            task.flow_task.name,
            task.owner_id,
            task.owner_permission or "",
            deadlines.due_at(task, follow_up_due_on=first_pending),
        )
        for task in engine.open_tasks(case)
    }
    kept = set(
        OpenTask.objects.filter(case=case).values_list(
            "task_id", "organisation_id", "stage", "node", "owner_id", "owner_permission", "due_at"
        )
    )
    assert kept == expected, step


def _suspend(case, world):
    services.case_suspend(user=world.worker, case_id=case.pk, reason="Ill")


def _resume(case, world):
    services.case_resume(user=world.supervisor, case_id=case.pk)


def _close(case, world):
    services.case_close_early(
        user=world.supervisor, case_id=case.pk, outcome=Outcome.DROPPED_OUT, reason="Left"
    )


def _reopen(case, world):
    services.case_reopen(user=world.supervisor, case_id=case.pk, reason="Back")


def _reopen_to_intake(case, world):
    services.case_reopen(user=world.supervisor, case_id=case.pk, reason="Anew", to_intake=True)


def _progress(case, world):
    make_ready_to_leave(case, world)
    leave_stage(case, world)


def _return_plan(case, world):
    if DevelopmentPlan.objects.filter(case=case, status=PlanStatus.SUBMITTED).count() == 0:
        submit_plan(case, with_the_cases_mentor(world, reload(case)))
    services.plan_return(user=world.supervisor2, case_id=case.pk, comment="Add detail")


def _swap_mentor(case, world):
    current = reload(case).mentor
    other = world.mentor2 if current == world.mentor else world.mentor
    services.case_assign_mentor(user=world.supervisor, case_id=case.pk, mentor_id=other.pk)


def _mentor_back(case, world):
    services.case_assign_mentor(user=world.supervisor, case_id=case.pk, mentor_id=world.mentor.pk)


def test_flow_agrees_with_the_stage_at_every_step_of_an_eventful_journey(world, case):
    steps = [
        ("progress", _progress),  # intake -> planning
        ("suspend in planning", _suspend),
        ("resume to planning", _resume),
        ("return the plan", _return_plan),
        ("submit again", lambda c, w: make_ready_to_leave(c, w)),
        ("suspend while the plan awaits approval", _suspend),
        ("resume to the approval queue", _resume),
        ("approve", lambda c, w: leave_stage(c, w)),  # -> training
        ("swap mentor", _swap_mentor),
        ("mentor back", _mentor_back),
        ("progress", _progress),  # -> screening
        ("suspend in screening", _suspend),
        ("close while suspended", _close),
        ("reopen to screening", _reopen),
        ("progress", _progress),  # -> placement
        ("progress", _progress),  # -> follow-up
        ("progress", _progress),  # -> closed (completed)
        ("reopen to follow-up", _reopen),
        ("close early", _close),
        ("reopen to intake", _reopen_to_intake),
    ]
    assert_flow_agrees(case, "opened")
    visited = [reload(case).stage]
    for name, step in steps:
        step(case, world)
        assert_flow_agrees(case, name)
        visited.append(reload(case).stage)
    # ... and the whole journey once more after the restart.
    while reload(case).stage != Stage.CLOSED:
        _progress(case, world)
        assert_flow_agrees(case, "second journey")
        visited.append(reload(case).stage)

    assert set(visited) == set(STAGE_TASKS)  # every stage was seen, suspended and closed too


def _applicable(case):
    stage = reload(case).stage
    if stage == Stage.CLOSED:
        return [_reopen, _reopen_to_intake]
    if stage == Stage.SUSPENDED:
        return [_resume, _close]
    steps = [_progress, _progress, _progress, _suspend, _close]
    if stage == Stage.PLANNING:
        steps.append(_return_plan)
    if stage != Stage.INTAKE:
        steps.append(_swap_mentor)
    return steps


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_flow_agrees_with_the_stage_along_a_random_walk_of_services(world, case, seed):
    chooser = random.Random(seed)
    walked = []
    for _ in range(30):
        step = chooser.choice(_applicable(case))
        step(case, world)
        walked.append(step.__name__)
        assert_flow_agrees(case, " > ".join(walked))
