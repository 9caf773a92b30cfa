"""Reason codes read as translated actions; a free-text part is kept as typed."""

from django.utils import translation

from audit import reasons


def test_a_known_code_reads_as_its_action():
    assert reasons.describe("case.advance").action == "moved to the next stage"
    assert reasons.describe("plan.approve").code == "plan.approve"


def test_a_free_text_suffix_is_kept_apart_from_the_action():
    reason = reasons.describe("case.suspend: moved to Budapest: for work")
    assert reason.code == "case.suspend"
    assert reason.action == "suspended the case"
    assert reason.note == "moved to Budapest: for work"


def test_an_unknown_code_falls_back_to_what_the_row_says_happened():
    reason = reasons.describe("import.legacy: batch 7", history_type="+")
    assert reason.action == "created (import.legacy)"
    assert reason.note == "batch 7"
    assert reasons.describe(None, history_type="-").action == "deleted"


def test_actions_are_translated():
    with translation.override("hu"):
        assert reasons.describe("case.advance").action == "továbblépett a következő szakaszba"


def test_every_service_reason_code_has_an_action():
    import re
    from pathlib import Path

    import casework.services

    source = Path(casework.services.__file__).read_text()
    codes = set(re.findall(r'reason=f?"([a-z_]+\.[a-z_]+)', source))
    assert codes, "no reason codes found in casework/services.py"
    assert codes <= set(reasons.REASONS), sorted(codes - set(reasons.REASONS))
