"""A case's audit trail as CSV or JSON, streamed in chunks of constant query count."""

from __future__ import annotations

import csv
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from kernel.spreadsheets import safe_cell

from . import selectors

CSV_COLUMNS = (
    "time",
    "user",
    "record_type",
    "record",
    "object_id",
    "object",
    "history_id",
    "history_type",
    "action",
    "reason",
    "note",
    "stage",
    "field",
    "old",
    "new",
    "chain_hash",
)


class _Echo:
    def write(self, value):
        return value


def csv_rows(*, user, case):
    """One line per changed field (one line for an entry without field changes)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)  # BOM: spreadsheets read UTF-8
    for entry in selectors.iter_timeline(user=user, case=case):
        base = [
            entry.at.isoformat(),
            entry.user,
            entry.record_type,
            entry.record_label,
            entry.object_id,
            entry.object_label,
            entry.history_id,
            entry.kind,
            entry.action,
            entry.reason_code,
            entry.note,
            entry.stage,
        ]
        changes = entry.changes or [None]
        for change in changes:
            if change is None:
                cells = ["", "", ""]
            else:
                cells = [change.field, change.old_text, change.new_text]
            yield writer.writerow([safe_cell(v) for v in (*base, *cells, entry.link_hash)])


def json_chunks(*, user, case):
    """``{"case": ..., "exported_at": ..., "exported_by": ..., "entries": [...]}``"""
    head = {
        "case": case.number,
        "case_id": case.pk,
        "exported_at": timezone.now().isoformat(),
        "exported_by": user.get_username(),
    }
    yield json.dumps(head, cls=DjangoJSONEncoder, ensure_ascii=False)[:-1] + ', "entries": ['
    separator = ""
    for entry in selectors.iter_timeline(user=user, case=case):
        yield separator + json.dumps(entry.as_json(), cls=DjangoJSONEncoder, ensure_ascii=False)
        separator = ","
    yield "]}"
