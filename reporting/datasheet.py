"""The participant-level ESF+ data sheet in the funder's shape: one row per participant (their
entry record), with the entry date, the characteristics at entry as codes, the exit date and
the results, as CSV and XLSX. The rows are read in one query, whatever their number: the exit
date and each result are subqueries over the same follow-ups the dashboard's result indicators
count (``indicators._results``), so the sheet and the dashboard cannot disagree.

Disability and minority are not here: they are special-category data kept by ``privacy``
(a later change adds their columns, with the suppression rules that go with them).
"""

from __future__ import annotations

import csv
import io

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from openpyxl import Workbook

from casework.models import Case, EntryRecord, FollowUp, FollowUpKind
from kernel.choices import Stage
from kernel.spreadsheets import safe_cell

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
    ]


def participants(*, scope: Scope) -> QuerySet[EntryRecord]:
    """The participants' entry records with their exit date and results, in one query."""
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
        )
        .order_by("entry_date", "pk")
    )


def _flag(value: bool | None) -> int | str:
    return "" if value is None else int(value)


def datasheet_rows(*, scope: Scope) -> list[list]:
    rows = []
    for record in participants(scope=scope):
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
            ]
        )
    return rows


def _safe(row: list) -> list:
    return [safe_cell(cell) if isinstance(cell, str) else cell for cell in row]


def as_csv(*, scope: Scope) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header())
    for row in datasheet_rows(scope=scope):
        writer.writerow(_safe(row))
    return out.getvalue()


def as_xlsx(*, scope: Scope) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "ESF+"
    sheet.append(_header())
    for row in datasheet_rows(scope=scope):
        sheet.append(_safe(row))
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
