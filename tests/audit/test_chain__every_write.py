"""Every service write leaves a history row with its user and reason, chained and intact."""

import pytest
from django.core.management import call_command

from audit import registry, verify
from audit.models import ChainLink

from .support import busy_case, history_rows

JOURNEY_REASONS = {
    "client.register",
    "client.update",
    "case.open",
    "case.record_consent",
    "case.assign_mentor",
    "case.advance",
    "case.suspend",
    "case.resume",
    "plan.create",
    "plan.update",
    "plan.submit",
    "plan.approve",
    "goal.add",
    "goal.mark_achieved",
    "session.record",
    "attendance.correct",
    "screening.record",
    "placement.record",
    "follow_up.schedule",
    "follow_up.record",
    "referral.create",
    "referral.answer",
}


def newest_history_ids() -> dict[str, int]:
    return {
        model._meta.label_lower: max(
            registry.history_model(model).objects.values_list("history_id", flat=True),
            default=0,
        )
        for model in registry.tracked_models()
    }


@pytest.mark.django_db
def test_every_history_row_written_on_a_whole_journey_has_a_user_and_a_reason(world, case):
    # The fixtures' set-up rows (programme, organisations, staff) have no service: the journey
    # starts after them. The case fixture itself was opened through the services.
    before = newest_history_ids()
    busy_case(case, world)

    written = [
        (label, row)
        for label, row in history_rows()
        if row["history_id"] > before[label] or label in ("casework.case", "casework.client")
    ]

    assert {label for label, _row in written} >= {
        "casework.client",
        "casework.case",
        "casework.developmentplan",
        "casework.goal",
        "casework.session",
        "casework.attendance",
        "casework.healthscreening",
        "casework.placement",
        "casework.followup",
        "casework.referral",
    }
    for label, row in written:
        assert row["history_user_id"], (label, row["history_id"])
        assert row["history_change_reason"], (label, row["history_id"])
    reasons = {row["history_change_reason"].split(":")[0] for _label, row in written}
    assert reasons >= JOURNEY_REASONS


@pytest.mark.django_db
def test_every_history_row_is_chained_and_verifies(world, case):
    busy_case(case, world)
    rows = list(history_rows())
    assert ChainLink.objects.count() == len(rows)
    report = verify.verify()
    assert report.ok, [p.describe() for p in report.problems]
    call_command("verify_audit")
