"""The translated strings at work, mostly in Slovak, whose three plural forms (1, 2–4, 5 and
more) and gendered adjectives show what English hides; Hungarian for a sentence whose subject
used to be glued in."""

from __future__ import annotations

import pytest
from django.utils import translation

from casework import guards
from casework.models import Case, ReferralStatus
from community.models import MicroProjectStatus
from kernel.choices import Stage
from kernel.errors import InvalidInput
from kernel.validators import clean_text
from notifications.events import Event
from notifications.publish import notify


def refusal(text: str, max_length: int) -> str:
    with pytest.raises(InvalidInput) as caught:
        clean_text(text, field="note", max_length=max_length)
    return str(caught.value.field_errors["note"][0])


@pytest.mark.parametrize(
    ("max_length", "expected"),
    [(1, "Najviac 1 znak."), (3, "Najviac 3 znaky."), (5, "Najviac 5 znakov.")],
)
def test_a_length_limit_takes_the_plural_form_of_its_number(max_length, expected):
    with translation.override("sk"):
        assert refusal("x" * 10, max_length) == expected


def test_the_english_length_limit_says_character_for_one():
    assert refusal("xx", 1) == "At most 1 character."
    assert refusal("xxx", 2) == "At most 2 characters."


@pytest.mark.parametrize(
    ("days", "start"), [(1, "1 deň po termíne"), (3, "3 dni po termíne"), (7, "7 dní po termíne")]
)
def test_the_escalation_title_counts_the_days_in_the_recipients_language(world, days, start):
    world.supervisor.staff_profile.language = "sk"
    notification = notify(
        recipient=world.supervisor,
        event=Event.TASK_ESCALATED,
        params={"days": days, "task": "Plán", "case": "C-1", "assignee": "Mentor"},
    )
    assert notification.title.startswith(start)


def test_one_day_overdue_is_singular_in_english(world):
    world.supervisor.staff_profile.language = "en"
    notification = notify(
        recipient=world.supervisor,
        event=Event.TASK_ESCALATED,
        params={"days": 1, "task": "Plan", "case": "C-1", "assignee": "Mentor"},
    )
    assert notification.title == "Overdue for 1 day: Plan (case C-1), assigned to Mentor"


def test_closed_agrees_with_the_noun_it_describes():
    with translation.override("sk"):
        assert str(Stage.CLOSED.label) == "uzavretý"  # prípad
        assert str(MicroProjectStatus.CLOSED.label) == "uzavretý"  # mikroprojekt
        assert str(ReferralStatus.CLOSED.label) == "uzavreté"  # odporúčanie
        assert str(MicroProjectStatus.REJECTED.label) == "zamietnutý"


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        (Stage.SUSPENDED, "Prípad je pozastavený: nie je možné doň nič zaznamenať."),
        (Stage.CLOSED, "Prípad je uzavretý: nie je možné doň nič zaznamenať."),
    ],
)
def test_an_inactive_case_is_refused_in_one_whole_sentence(stage, expected):
    with translation.override("sk"):
        assert guards.active(Case(stage=stage)) == [expected]


def test_a_record_outside_its_stage_is_refused_in_one_whole_sentence():
    case = Case(stage=Stage.TRAINING)
    with translation.override("hu"):
        missing = guards.plan_editable(case, None)
    assert missing == [
        "Az egyéni fejlesztési terv nem rögzíthető, amíg az eset ebben a szakaszban van: "
        "tréningek és tanácsadás."
    ]
