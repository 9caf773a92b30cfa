"""GET /cases/{id}/transitions/ tells each user what they may do on the case and what the case
still needs; it matches what POSTing the step then does."""

import pytest

from casework.journey import Stage

from ..journey import submit_plan, to_stage
from .support import api_client, url


def states(user, case) -> dict[str, tuple[bool, bool]]:
    rows = api_client(user).get(url("transition_list", case.pk)).json()
    return {row["name"]: (row["allowed"], row["ready"]) for row in rows}


@pytest.mark.django_db
def test_at_intake_the_social_worker_may_take_the_intake_steps(world, case):
    worker = states(world.worker, case)
    assert worker["consent"] == (True, True)
    assert worker["assign_mentor"] == (True, True)
    assert worker["advance"] == (True, False)
    assert worker["suspend"] == (True, True)
    assert worker["close"] == (True, True)
    assert worker["resume"] == (True, False)
    assert worker["reopen"] == (False, False)
    assert worker["plan_submit"] == (False, False)
    rows = api_client(world.worker).get(url("transition_list", case.pk)).json()
    advance = next(row for row in rows if row["name"] == "advance")
    assert advance["missing"] == [
        "Record the client's consent to data processing.",
        "Assign a mentor.",
    ]
    assert advance["url"] == url("transition_advance", case.pk)


@pytest.mark.django_db
def test_in_planning_only_the_plan_moves_the_case(world, case):
    to_stage(case, world, Stage.PLANNING)
    mentor = states(world.mentor, case)
    assert mentor["advance"][0] is False  # planning is left only by plan approval
    assert mentor["plan_submit"] == (True, False)
    assert mentor["suspend"] == (False, True)  # the case could be, but not by a mentor
    submit_plan(case, world)
    assert states(world.mentor, case)["plan_submit"] == (True, False)
    supervisor = states(world.supervisor, case)
    assert supervisor["plan_approve"] == (True, True)
    assert supervisor["plan_return"] == (True, True)
    assert states(world.worker, case)["plan_approve"] == (False, True)


@pytest.mark.django_db
def test_a_closed_case_can_only_be_reopened_by_a_supervisor(world, case):
    api_client(world.worker).post(
        url("transition_close", case.pk),
        {
            "from_stage": "intake",
            "outcome": "ineligible",
            "reason": "Not in the target group",
        },
        format="json",
    )
    supervisor = states(world.supervisor, case)
    assert supervisor["reopen"] == (True, True)
    assert supervisor["close"] == (True, False)
    assert states(world.worker, case)["reopen"] == (False, True)
    response = api_client(world.supervisor).post(
        url("transition_reopen", case.pk),
        {"reason": "Eligible after all", "to_intake": True},
        format="json",
    )
    assert response.status_code == 200 and response.json()["stage"] == Stage.INTAKE
