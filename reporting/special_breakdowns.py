"""Participants by special category (ESF+: participants with disabilities, participants from
minorities including the Roma), for the indicator dashboard.

The counts come from ``privacy.selectors.special_answer_counts``, which also suppresses the
small cells; reporting only says who the participants are (clients with an ESF+ entry record
in the report's scope as of its date) and never reads a special-category record itself. This
is DESIGN.md section 7's rule for a capability that needs both: the sensitive part and its
suppression live in ``privacy``, in one place, so a second report cannot forget a rule or apply
a different threshold.

Suppression applies to every role that reads aggregates, whatever it may see per case: a
programme admin is entitled to no special category at all, and a supervisor who may see the
categories of their organisation's cases still reads a published figure, which travels further
than the case file. A suppressed cell is text, not a link; no cell of this breakdown links to
the records behind it, since a list of the people counted as Roma or disabled is the special
data itself.

The participants are those of the report's date; the answers are the records as they stand
now (a correction of an answer corrects the past report too, as for the entry records).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from casework.models import Client, EntryRecord
from privacy.models import Answer, SpecialCategory
from privacy.selectors import NOT_RECORDED, SMALL_CELL, special_answer_counts

from .indicators import Scope

CATEGORIES = {
    SpecialCategory.ETHNICITY: _("Participants from minorities (including the Roma)"),
    SpecialCategory.DISABILITY: _("Participants with disabilities"),
}

ANSWERS = [
    (Answer.YES, _("yes")),
    (Answer.NO, _("no")),
    (Answer.DECLINED, _("declined to answer")),
    (NOT_RECORDED, _("not recorded")),
]


@dataclass(frozen=True)
class Cell:
    answer: str
    label: object
    # None: suppressed (fewer than ``SMALL_CELL`` people, or hidden so a total cannot give a
    # suppressed cell back).
    count: int | None

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class Breakdown:
    category: str
    label: object
    cells: list[Cell]


def participants(scope: Scope):
    """The clients with an entry record in ``scope`` (one per person and programme)."""
    records = EntryRecord.objects.filter(programme=scope.programme, entry_date__lte=scope.as_of)
    if scope.organisation_ids is not None:
        records = records.filter(case__organisation__in=scope.organisation_ids)
    return Client.objects.filter(pk__in=records.values("client_id"))


def special_breakdowns(*, scope: Scope) -> list[Breakdown]:
    """The answers of the scope's participants about each category, small cells suppressed
    by ``privacy``. Two queries, whatever the number of categories."""
    counts = special_answer_counts(
        categories=CATEGORIES, clients=participants(scope), min_cell=SMALL_CELL
    )
    return [
        Breakdown(
            category=category,
            label=label,
            cells=[
                Cell(answer=code, label=name, count=counts[category][code])
                for code, name in ANSWERS
            ],
        )
        for category, label in CATEGORIES.items()
    ]
