"""The audit timeline of a case: history rows of the case, its client and its records, oldest
first, each saying who changed what kind of record and why; nothing of other cases."""

import pytest

from casework import services
from casework.journey import Stage

from ..conftest import new_client
from ..journey import to_stage
from .support import api_client, url


@pytest.mark.django_db
def test_the_timeline_holds_the_case_and_its_records_only(world, case):
    to_stage(case, world, Stage.TRAINING)
    other = services.case_open(
        user=world.worker,
        client_id=new_client(world, family_name="Other").pk,
        programme_id=world.programme.pk,
    )
    to_stage(other, world, Stage.SCREENING)  # other sessions, goals, plan, screening

    rows = (
        api_client(world.supervisor)
        .get(url("case_history", case.pk), {"page_size": 100})
        .json()["results"]
    )
    assert {row["record"] for row in rows} == {"case", "client", "plan", "goal"}
    own = {
        "case": {case.pk},
        "client": {case.client_id},
        "plan": {case.plan.pk},
        "goal": set(case.plan.goals.values_list("pk", flat=True)),
    }
    for row in rows:
        assert row["object_id"] in own[row["record"]], row
    assert [
        (row["history_date"], row["history_id"]) for row in rows if row["record"] == "case"
    ] == sorted((row["history_date"], row["history_id"]) for row in rows if row["record"] == "case")
    first = rows[0]
    assert (first["record"], first["history_type"], first["history_change_reason"]) == (
        "client",
        "+",
        "client.register",
    )
    assert first["history_user"]["username"] == "worker"
    reasons = [row["history_change_reason"] for row in rows]
    assert reasons.index("plan.submit") < reasons.index("plan.approve")
