"""The participant-level ESF+ data sheet in the funder's shape: one row per participant (their
entry record), with the entry date, the characteristics at entry as codes, the exit date and
the results, as CSV and XLSX. The rows are read in one query, whatever their number: the exit
date and each result are subqueries over the same follow-ups the dashboard's result indicators
count (``indicators._results``), so the sheet and the dashboard cannot disagree.

Disability and minority are special-category data kept by ``privacy``. Their columns (the
last two, so the earlier columns keep their places) hold the answer's code (yes, no, declined,
empty when none is recorded) only on the rows whose case the requesting user may see the
category of (``privacy.cases_where_visible``, the rule of ``privacy.can_see`` as one filter);
on every other row they are empty, and the header says so. Whether a row may show the answer
is decided in the same query as the rest of the row (a ``CASE`` over an ``EXISTS``), so the
value of an unentitled row never leaves the database and the sheet stays one query, plus the
user's roles and organisation, read once.
"""

from __future__ import annotations

import csv
import io

from django.db.models import Case as SqlCase
from django.db.models import CharField, Exists, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment

from casework.models import Case, EntryRecord, FollowUp, FollowUpKind
from kernel.choices import Stage
from kernel.spreadsheets import safe_cell
from privacy.models import SpecialCategory, SpecialCategoryRecord
from privacy.special import cases_where_visible

from .indicators import AT_EXIT, SIX_MONTHS, Scope, _results

# (column code, question, window): the result columns, in the order of Annex I.
RESULTS = [
    ("exit_job_searching", "job_searching", AT_EXIT),
    ("exit_in_education", "in_education", AT_EXIT),
    ("exit_qualification", "gained_qualification", AT_EXIT),
    ("exit_employed", "employed", AT_EXIT),
    ("six_months_employed", "employed", SIX_MONTHS),
    ("six_months_improved", "improved_situation", SIX_MONTHS),
]

# (column code, category): the special-category columns, after the results.
SPECIAL = [
    ("special_disability", SpecialCategory.DISABILITY),
    ("special_minority", SpecialCategory.ETHNICITY),
]


def special_note() -> str:
    return _(
        "Disability and minority are special categories: they are shown only on the rows of "
        "cases where you are entitled to see them, and are empty on the others."
    )


def _header() -> list[str]:
    return [
        _("case number"),
        _("partner organisation"),
        _("entry date"),
        _("gender"),
        _("age on the entry date"),
        _("age band"),
        _("labour-market status"),
        _("long-term unemployed"),
        _("education (ISCED)"),
        _("third-country national"),
        _("of foreign origin"),
        _("homeless or affected by housing exclusion"),
        _("rural residence"),
        _("entry record complete"),
        _("exit date"),
        _("job searching upon leaving"),
        _("in education or training upon leaving"),
        _("gained a qualification upon leaving"),
        _("in employment upon leaving"),
        _("in employment six months after leaving"),
        _("improved labour-market situation six months after leaving"),
        _("disability (shown only to entitled staff)"),
        _("minority, including the Roma (shown only to entitled staff)"),
    ]


def _special_answer(user, category: str):
    """The client's answer about ``category`` where ``user`` may see it on the row's case,
    "" elsewhere (and where no answer is recorded)."""
    visible = cases_where_visible(user, category, Case.objects.all())
    if visible.query.is_empty():
        return Value("", output_field=CharField())
    answer = SpecialCategoryRecord.objects.filter(
        client=OuterRef("client"), category=category
    ).values("answer")[:1]
    return SqlCase(
        When(
            Exists(visible.filter(pk=OuterRef("case_id"))),
            then=Coalesce(Subquery(answer), Value("")),
        ),
        default=Value(""),
        output_field=CharField(),
    )


def participants(*, scope: Scope, user=None) -> QuerySet[EntryRecord]:
    """The participants' entry records with their exit date and results, and the special
    categories ``user`` may see (none without a user), in one query."""
    same_person = {"case__client": OuterRef("client"), "case__programme": OuterRef("programme")}
    if scope.organisation_ids is not None:
        same_person["case__organisation__in"] = scope.organisation_ids
    # The exit: the day the follow-ups count from (the outcome at exit), or, for a person who
    # left early, the day their case was closed.
    follow_up_exit = (
        FollowUp.objects.filter(
            **same_person, kind=FollowUpKind.FIRST, exit_on__isnull=False, exit_on__lte=scope.as_of
        )
        .order_by("-exit_on")
        .values("exit_on")[:1]
    )
    closed = (
        Case.objects.filter(
            client=OuterRef("client"),
            programme=OuterRef("programme"),
            stage=Stage.CLOSED,
            closed_on__lte=scope.as_of,
        )
        .order_by("-closed_on")
        .values("closed_on")[:1]
    )
    rows = EntryRecord.objects.filter(programme=scope.programme, entry_date__lte=scope.as_of)
    if scope.organisation_ids is not None:
        rows = rows.filter(case__organisation__in=scope.organisation_ids)
    return (
        rows.select_related("case", "case__organisation")
        .annotate(
            exit_on=Coalesce(Subquery(follow_up_exit), Subquery(closed)),
            **{
                code: Exists(_results(window, question)(scope).filter(**same_person))
                for code, question, window in RESULTS
            },
            **{code: _special_answer(user, category) for code, category in SPECIAL},
        )
        .order_by("entry_date", "pk")
    )


def _flag(value: bool | None) -> int | str:
    return "" if value is None else int(value)


def datasheet_rows(*, scope: Scope, user=None) -> list[list]:
    rows = []
    for record in participants(scope=scope, user=user):
        left = record.exit_on is not None
        rows.append(
            [
                record.case.number,
                record.case.organisation.name,
                record.entry_date.isoformat(),
                record.gender,
                record.age if record.age is not None else "",
                record.age_band,
                record.labour_status,
                _flag(record.long_term_unemployed),
                record.education,
                _flag(record.third_country_national),
                _flag(record.foreign_origin),
                _flag(record.housing_exclusion),
                _flag(record.rural),
                int(record.complete),
                record.exit_on.isoformat() if left else "",
                *[int(getattr(record, code)) if left else "" for code, _q, _w in RESULTS],
                *[getattr(record, code) for code, _category in SPECIAL],
            ]
        )
    return rows


def _safe(row: list) -> list:
    return [safe_cell(cell) if isinstance(cell, str) else cell for cell in row]


def as_csv(*, scope: Scope, user=None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header())
    for row in datasheet_rows(scope=scope, user=user):
        writer.writerow(_safe(row))
    return out.getvalue()


def as_xlsx(*, scope: Scope, user=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "ESF+"
    header = _header()
    sheet.append(header)
    for column in range(len(header) - len(SPECIAL) + 1, len(header) + 1):
        sheet.cell(row=1, column=column).comment = Comment(special_note(), "Lépés")
    for row in datasheet_rows(scope=scope, user=user):
        sheet.append(_safe(row))
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
