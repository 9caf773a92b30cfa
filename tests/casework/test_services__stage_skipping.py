"""A programme's settings (data, not code) decide which stages its cases pass through: a stage the
programme does not use is skipped, and the flow opens the task of the stage actually reached."""

import pytest

from casework import services
from casework.journey import Stage
from casework.models import Outcome

from ..conftest import new_client
from ..factories import MembershipFactory, ProgrammeFactory
from ..journey import to_stage
from .support import latest_history, leave_stage, make_ready_to_leave, open_task_names

pytestmark = pytest.mark.django_db


def _case_in(world, **settings):
    programme = ProgrammeFactory(**settings)
    MembershipFactory(programme=programme, organisation=world.org)
    client = new_client(world)
    return services.case_open(user=world.worker, client_id=client.pk, programme_id=programme.pk)


# programme settings, stage left, stage reached, task opened there (None: the journey ended).
SKIPS = [
    ({"uses_screening": False}, Stage.TRAINING, Stage.PLACEMENT, "placement"),
    ({"uses_training": False}, Stage.PLANNING, Stage.SCREENING, "screening"),
    ({"uses_placement": False}, Stage.SCREENING, Stage.FOLLOW_UP, "follow_up"),
    ({"uses_follow_up": False}, Stage.PLACEMENT, Stage.CLOSED, None),
    (
        {"uses_training": False, "uses_screening": False, "uses_placement": False},
        Stage.PLANNING,
        Stage.FOLLOW_UP,
        "follow_up",
    ),
    (
        {
            "uses_training": False,
            "uses_screening": False,
            "uses_placement": False,
            "uses_follow_up": False,
        },
        Stage.PLANNING,
        Stage.CLOSED,
        None,
    ),
]


@pytest.mark.parametrize(
    ("settings", "left", "reached", "task"),
    SKIPS,
    ids=[
        "no-screening",
        "no-training",
        "no-placement",
        "no-follow-up",
        "plan-only+follow-up",
        "plan-only",
    ],
)
def test_a_stage_the_programme_does_not_use_is_skipped(world, settings, left, reached, task):
    case = to_stage(_case_in(world, **settings), world, left)
    make_ready_to_leave(case, world)

    case = leave_stage(case, world)

    assert case.stage == reached
    assert latest_history(case).history_change_reason == "case.advance"
    assert open_task_names(case) == ({task} if task else set())
    if reached == Stage.CLOSED:
        assert (case.outcome, case.closed_from) == (Outcome.COMPLETED, left)


def test_a_programme_without_screening_never_passes_through_screening(world):
    case = _case_in(world, uses_screening=False)
    stages = [case.stage]
    while case.stage != Stage.CLOSED:
        make_ready_to_leave(case, world)
        case = leave_stage(case, world)
        stages.append(case.stage)

    assert stages == [
        Stage.INTAKE,
        Stage.PLANNING,
        Stage.TRAINING,
        Stage.PLACEMENT,
        Stage.FOLLOW_UP,
        Stage.CLOSED,
    ]
    moves = case.history.filter(history_change_reason__in=["case.open", "case.advance"])
    assert [row.stage for row in moves.order_by("history_id")] == stages


def test_without_placement_follow_ups_are_scheduled_from_the_day_follow_up_starts(world):
    case = to_stage(_case_in(world, uses_placement=False), world, Stage.SCREENING)
    make_ready_to_leave(case, world)

    case = leave_stage(case, world)

    assert case.stage == Stage.FOLLOW_UP
    assert sorted((f.due_on - case.opened_on).days for f in case.follow_ups.all()) == [28, 182]
