"""The aggregated indicator table in the funder's shape, as CSV and XLSX: one row per
indicator and place (the consortium, each partner, each location), with the value, the target
and its deadline, exactly the figures of the dashboard (the same report)."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from kernel.spreadsheets import safe_cell

from .indicators import Scope
from .selectors import indicator_report


def _header() -> list[str]:
    return [
        _("indicator code"),
        _("indicator"),
        _("partner organisation"),
        _("location"),
        _("value"),
        _("committed value"),
        _("deadline"),
    ]


def indicator_table(*, scope: Scope) -> list[list]:
    """Rows of the table: values as numbers, the rest as text."""
    rows = []
    for report in indicator_report(scope=scope):
        code, label = report.indicator.code, str(report.indicator.label)
        places = [("", "", report.total)]
        places += [
            (organisation.name, "", progress) for organisation, progress in report.by_organisation
        ]
        places += [("", location, progress) for location, progress in report.by_location]
        for organisation, location, progress in places:
            target = progress.target
            rows.append(
                [
                    code,
                    label,
                    organisation,
                    location,
                    progress.value,
                    target.value if target else None,
                    target.deadline.isoformat() if target else "",
                ]
            )
    return rows


def as_csv(*, scope: Scope) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header())
    for row in indicator_table(scope=scope):
        writer.writerow([safe_cell(cell) if isinstance(cell, str) else cell for cell in row])
    return out.getvalue()


def as_xlsx(*, scope: Scope) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = scope.programme.funder_code[:31] or "indicators"
    sheet.append(_header())
    for row in indicator_table(scope=scope):
        sheet.append([safe_cell(cell) if isinstance(cell, str) else cell for cell in row])
    sheet.append([])
    sheet.append([_("as of"), scope.as_of.isoformat()])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
