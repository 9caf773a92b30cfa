"""Acting on a case that moved on meanwhile (a stale ``from_stage``) is refused with
StageConflict, which names the stage the case is in now, and writes nothing."""

import pytest

from casework import services
from casework.journey import Stage
from casework.models import Outcome
from kernel.errors import StageConflict

from ..journey import to_stage
from .support import db_state, make_ready_to_leave, reload

pytestmark = pytest.mark.django_db

# The refused call, given the stage the user saw (which is no longer the case's stage).
STALE_CALLS = {
    "advance": lambda w, c, seen: services.case_advance(
        user=w.mentor, case_id=c.pk, from_stage=seen
    ),
    "suspend": lambda w, c, seen: services.case_suspend(
        user=w.worker, case_id=c.pk, reason="Ill", from_stage=seen
    ),
    "close_early": lambda w, c, seen: services.case_close_early(
        user=w.supervisor,
        case_id=c.pk,
        outcome=Outcome.DROPPED_OUT,
        reason="Left",
        from_stage=seen,
    ),
}


@pytest.mark.parametrize("call", list(STALE_CALLS))
def test_acting_with_a_stale_stage_raises_stage_conflict_and_writes_nothing(world, case, call):
    case = to_stage(case, world, Stage.SCREENING)
    # The case is ready to move on, so only the stale stage can be the reason for refusing.
    make_ready_to_leave(case, world)
    before = db_state()

    with pytest.raises(StageConflict) as refused:
        STALE_CALLS[call](world, case, Stage.TRAINING)

    assert [str(detail) for detail in refused.value.details] == [
        "It is now in the stage: health screening."
    ]
    assert refused.value.code == "stage_conflict"
    assert db_state() == before


def test_a_second_click_on_advance_after_the_first_succeeded_is_a_conflict(world, case):
    case = to_stage(case, world, Stage.TRAINING)
    make_ready_to_leave(case, world)
    services.case_advance(user=world.mentor, case_id=case.pk, from_stage=Stage.TRAINING)
    before = db_state()

    with pytest.raises(StageConflict):
        services.case_advance(user=world.mentor, case_id=case.pk, from_stage=Stage.TRAINING)

    assert reload(case).stage == Stage.SCREENING
    assert db_state() == before


def test_closing_a_case_that_was_suspended_meanwhile_is_a_conflict(world, case):
    case = to_stage(case, world, Stage.TRAINING)
    services.case_suspend(user=world.worker, case_id=case.pk, reason="Ill")
    before = db_state()

    with pytest.raises(StageConflict) as refused:
        STALE_CALLS["close_early"](world, case, Stage.TRAINING)

    assert [str(d) for d in refused.value.details] == ["It is now in the stage: suspended."]
    assert db_state() == before


def test_the_current_stage_as_from_stage_is_accepted(world, case):
    case = to_stage(case, world, Stage.TRAINING)

    case = services.case_suspend(
        user=world.worker, case_id=case.pk, reason="Ill", from_stage=Stage.TRAINING
    )

    assert case.stage == Stage.SUSPENDED
