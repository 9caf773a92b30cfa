"""Demo special-category records for ``manage.py seed_demo``, written through the services.

Kept here so the demo command grows by a line or two: it hands over what its random client
"said", and this module turns that into records.
"""

from __future__ import annotations

from .models import Answer, Minority, SpecialCategory
from .services import special_category_record

# The key of the demo answers in a client's demo data (popped before the client is registered).
SPECIAL = "special_categories"


def demo_answers(*, minority: bool | None, disability: bool | None, ex_offender: bool) -> dict:
    """What a demo client said, by category: ``None`` from the seed's random draw means the
    client declined to answer (ethnicity) or was not asked (disability)."""
    answers = {
        SpecialCategory.ETHNICITY: (
            Answer.DECLINED if minority is None else Answer.YES if minority else Answer.NO,
            Minority.ROMA if minority else "",
            "",
        )
    }
    if disability is not None:
        answers[SpecialCategory.DISABILITY] = (
            (Answer.YES, "", "Reduced mobility: needs a ground-floor workplace.")
            if disability
            else (Answer.NO, "", "")
        )
    if ex_offender:
        answers[SpecialCategory.CRIMINAL_RECORD] = (
            Answer.YES,
            "",
            "Released two years ago; needs a certificate of good conduct for some jobs.",
        )
    return answers


def seed_special_categories(*, user, case, answers: dict) -> None:
    for category, (answer, minority, note) in answers.items():
        special_category_record(
            user=user, case=case, category=category, answer=answer, minority=minority, note=note
        )


def seed_health_finding(*, user, case, referred: bool) -> None:
    """A done screening's finding: a referral to the health office means it found something."""
    special_category_record(
        user=user,
        case=case,
        category=SpecialCategory.HEALTH,
        answer=Answer.YES if referred else Answer.NO,
        note="Raised blood pressure; referred for a check-up." if referred else "",
    )
