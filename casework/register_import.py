"""Import of a client register an organisation kept before Lépés (CSV or XLSX).

Three steps, each its own transaction:

1. ``client_import_stage`` reads the file, matches its header to the client's fields (the
   field names, their labels in English, Hungarian and Slovak, and the column names of the
   funder's participant data sheet), validates every row with the client form's own rules
   (``Client.full_clean``, exactly what ``client_register`` runs), looks for possible
   duplicates (same folded name and year of birth, ``casework.search.folded``) among the
   organisation's clients and within the file, and keeps the result as a ``ClientImport``
   owned by the uploader.
2. The preview pages read it (``client_import_get``, ``preview_rows``).
3. ``client_import_confirm`` validates again (the rules or the organisation's clients may have
   changed since) and writes every row or none: the clients and their history rows (reason
   ``import: <file name>``, the uploader as the user) in a few INSERTs, chained into the audit
   trail by ``kernel.services.bulk_history_created``.

Cells are only translated into the values the form would have posted (a label "nő" into the
code "female", "2024. 03. 01." into a date); whether a value is allowed is left to the model, so
the file and the form can never disagree.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kernel.errors import GuardFailed, InvalidInput, NotAllowed, NotFound
from kernel.services import bulk_create_with_history, field_errors, service

from . import selectors
from .models import Client, ClientImport
from .search import folded
from .services import CLIENT_FIELDS

IMPORT_PERMISSION = "casework.import_clients"
# A staged import nobody confirmed is deleted by ``manage.py purge_expired`` after this long
# (privacy/registry.py, CLIENT_IMPORT).
STALE_AFTER = datetime.timedelta(days=7)
MAX_ROWS = 20_000
MAX_BYTES = 20 * 1024 * 1024
REASON = "import"
# Clients per INSERT.
BATCH = 1000
LANGUAGES = ("en", "hu", "sk")

# Column names of the funder's data sheet (reporting/datasheet.py) and of the entry-record
# form, where they differ from the client field's label; matched in every language.
_SHEET_NAMES: dict[str, tuple] = {
    "labour_market_status": (gettext_lazy("labour-market status"),),
    "education_level": (gettext_lazy("education (ISCED)"),),
}
# What registers kept in a spreadsheet commonly call the columns (not translated: they are
# matched, never shown).
_COMMON_NAMES: dict[str, tuple[str, ...]] = {
    "family_name": ("surname", "last name", "vezetéknév", "vezeteknev", "priezvisko"),
    "given_name": ("first name", "keresztnév", "keresztnev", "meno", "krstné meno"),
    "birth_year": ("birth year", "szül. év", "születési éve"),
    "birth_date": ("birth date", "születési idő", "szül. dátum", "dátum narodenia"),
    "gender": ("sex", "neme", "pohlavie"),
    "settlement": ("lakóhely", "település neve", "obec", "place of residence"),
    "phone": ("telefon", "telephone", "tel.", "telefónne číslo"),
}
_TRUE = {"1", "yes", "y", "true", "igen", "i", "ano", "x"}
_FALSE = {"0", "no", "n", "false", "nem", "nie"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y")
_LIST_SEPARATORS = re.compile(r"[;,|\n]")


# --------------------------------------------------------------------------------------------
# Reading the file
# --------------------------------------------------------------------------------------------


@dataclass
class Sheet:
    header: list[str]
    rows: list[tuple[int, list]]  # (row number in the file, cells)


def read_file(*, name: str, content: bytes) -> Sheet:
    """The first sheet of an XLSX file or a CSV file (UTF-8, with or without a byte-order mark,
    ``;`` or ``,`` between cells), header first. Empty rows are skipped; row numbers are the
    ones a spreadsheet shows (the header is row 1)."""
    suffix = PurePath(name).suffix.lower()
    if suffix == ".xlsx":
        lines = _xlsx_lines(content)
    elif suffix in (".csv", ".txt"):
        lines = _csv_lines(content)
    else:
        raise InvalidInput({"file": [_("Upload a CSV or an XLSX file.")]})
    header: list[str] | None = None
    rows: list[tuple[int, list]] = []
    for number, cells in lines:
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
            continue
        if header is None:
            header = ["" if cell is None else str(cell).strip() for cell in cells]
            continue
        rows.append((number, list(cells)))
        if len(rows) > MAX_ROWS:
            message = ngettext(
                "The file has more than %(n)s row: split it into smaller files.",
                "The file has more than %(n)s rows: split it into smaller files.",
                MAX_ROWS,
            )
            raise InvalidInput({"file": [message % {"n": MAX_ROWS}]})
    if header is None:
        raise InvalidInput({"file": [_("The file is empty.")]})
    return Sheet(header=header, rows=rows)


def _csv_lines(content: bytes) -> Iterable[tuple[int, list]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = _("The CSV file is not in UTF-8: save it as “CSV UTF-8” and upload it again.")
        raise InvalidInput({"file": [message]}) from None
    first_line = text.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=";,").delimiter
    except csv.Error:
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # A quoted cell may span lines: the row number is the reader's line where the row began.
    number = 1
    for cells in reader:
        yield number, cells
        number = reader.line_num + 1


def _xlsx_lines(content: bytes) -> Iterable[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, key errors) for a broken file
        raise InvalidInput({"file": [_("The XLSX file could not be read.")]}) from None
    try:
        sheet = book.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        book.close()


# --------------------------------------------------------------------------------------------
# Columns and cells
# --------------------------------------------------------------------------------------------


def _header_key(text: str) -> str:
    return " ".join(re.sub(r"[*:_]", " ", folded(text)).split())


@cache
def column_names() -> dict[str, str]:
    """Folded column name → client field, from the field names, their labels in every
    language, the data sheet's names and common spreadsheet names."""
    names: dict[str, str] = {}
    for field_name in CLIENT_FIELDS:
        field = Client._meta.get_field(field_name)
        labels: list = [field_name, field.verbose_name, *_SHEET_NAMES.get(field_name, ())]
        for language in LANGUAGES:
            with translation.override(language):
                for label in labels:
                    names.setdefault(_header_key(str(label)), field_name)
        for alias in _COMMON_NAMES.get(field_name, ()):
            names.setdefault(_header_key(alias), field_name)
    return names


def match_header(header: list[str]) -> tuple[dict[int, str], list[str]]:
    """``({cell index: field}, [ignored column names])``; refused when the names are missing
    or a field has two columns."""
    known = column_names()
    columns: dict[int, str] = {}
    ignored = []
    seen: dict[str, str] = {}
    for index, text in enumerate(header):
        field = known.get(_header_key(text)) if text else None
        if field is None:
            if text:
                ignored.append(text)
            continue
        if field in seen:
            message = _("The columns “%(a)s” and “%(b)s” both hold the %(field)s.")
            raise InvalidInput(
                {"file": [message % {"a": seen[field], "b": text, "field": _label(field)}]}
            )
        seen[field] = text
        columns[index] = field
    missing = [_label(f) for f in ("family_name", "given_name") if f not in seen]
    if missing:
        message = _("The file has no column for: %(fields)s.")
        raise InvalidInput({"file": [message % {"fields": ", ".join(missing)}]})
    return columns, ignored


def _label(field_name: str) -> str:
    return str(Client._meta.get_field(field_name).verbose_name)


@cache
def _choice_values(field_name: str) -> dict[str, str]:
    """Folded code or label (in every language) → the choice's code."""
    field = Client._meta.get_field(field_name)
    choices = field.choices if field.choices else _target_group_choices()
    found: dict[str, str] = {}
    for language in LANGUAGES:
        with translation.override(language):
            for code, label in choices:
                found.setdefault(folded(code), code)
                found.setdefault(folded(str(label)), code)
    return found


def _target_group_choices():
    from .models import TargetGroup

    return TargetGroup.choices


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def cell_value(field_name: str, value: Any) -> Any:
    """A cell as the value the client form would hand to the model. A value this cannot read
    is passed on as text, so that the model's own validation names what is wrong with it."""
    field = Client._meta.get_field(field_name)
    if field_name == "target_groups":
        text = _text(value)
        values = _choice_values(field_name)
        items = [item.strip() for item in _LIST_SEPARATORS.split(text) if item.strip()]
        return [values.get(folded(item), item) for item in items]
    if isinstance(field, models.DateField):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        return _date(_text(value))
    text = _text(value)
    if not text:
        return None if field.null else ""
    if field.choices:
        return _choice_values(field_name).get(folded(text), text)
    if isinstance(field, models.BooleanField):
        word = folded(text)
        return True if word in _TRUE else False if word in _FALSE else text
    return text


def _date(text: str) -> datetime.date | str | None:
    if not text:
        return None
    # "2024. 03. 01." (the Hungarian way) and "1. 3. 2024" (the Slovak way) lose their spaces.
    compact = text.replace(" ", "").rstrip(".")
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(compact, pattern).date()
        except ValueError:
            continue
    return text


def _json(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str | list):
        return value
    return str(value)


# --------------------------------------------------------------------------------------------
# Validation and duplicates
# --------------------------------------------------------------------------------------------


def validated_client(values: dict[str, Any], *, organisation) -> tuple[Client, dict]:
    """A client built from ``values`` and checked with the rules ``client_register`` applies
    (the model's field validation and ``Client.clean``); ``{field: [messages]}`` when refused.
    The organisation is the importer's own, checked once, not re-read for every row."""
    client = Client(organisation=organisation, **values)
    excluded = ["organisation"]
    errors: dict[str, list[str]] = {}
    try:
        client.clean_fields(exclude=excluded)
    except ValidationError as error:
        errors = field_errors(error)
    # As the form does: a refused field is left out of the model-wide checks, which would
    # otherwise meet the raw text ("abc" as a year) instead of a value.
    for name in errors:
        setattr(client, name, Client._meta.get_field(name).get_default())
    excluded += list(errors)
    for check in (
        client.clean,
        lambda: client.validate_unique(exclude=excluded),
        lambda: client.validate_constraints(exclude=excluded),
    ):
        try:
            check()
        except ValidationError as error:
            for name, messages in field_errors(error).items():
                errors.setdefault(name, []).extend(messages)
    return client, errors


def _duplicate_key(client: Client) -> tuple[str, str, int | None]:
    return folded(client.family_name or ""), folded(client.given_name or ""), client.birth_year


def find_duplicates(clients: list[tuple[int, Client]], *, organisation) -> list[dict]:
    """Rows whose folded name and year of birth match a client of ``organisation`` or an
    earlier row of the file. One query per ``BATCH`` family names, whatever the file holds."""
    keys = {number: _duplicate_key(client) for number, client in clients}
    family_keys = sorted({key[0] for key in keys.values() if key[0]})
    existing: dict[tuple, int] = {}
    for start in range(0, len(family_keys), BATCH):
        rows = Client.objects.filter(
            organisation=organisation, family_key__in=family_keys[start : start + BATCH]
        ).values_list("pk", "family_key", "given_key", "birth_year")
        for pk, family_key, given_key, birth_year in rows.order_by("pk"):
            existing.setdefault((family_key, given_key, birth_year), pk)
    duplicates = []
    first_row: dict[tuple, int] = {}
    for number, client in clients:
        key = keys[number]
        if not key[0] or not key[1]:
            continue
        entry = {"row": number, "name": client.full_name, "birth_year": client.birth_year}
        if key in existing:
            duplicates.append({**entry, "client_id": existing[key]})
        if key in first_row:
            duplicates.append({**entry, "other_row": first_row[key]})
        else:
            first_row[key] = number
    return duplicates


def describe_duplicate(duplicate: dict) -> str:
    if "other_row" in duplicate:
        return _("Same name and year of birth as row %(row)s of this file.") % {
            "row": duplicate["other_row"]
        }
    return _("A client of your organisation has the same name and year of birth.")


# --------------------------------------------------------------------------------------------
# Services and selectors
# --------------------------------------------------------------------------------------------


def _importing_organisation(user):
    if not user.has_perm(IMPORT_PERMISSION):
        raise NotAllowed(_("Your role does not allow importing clients."))
    organisation = selectors.organisation_of(user)
    if organisation is None:
        raise NotAllowed(_("Your role does not allow importing clients."))
    return organisation


@service
def client_import_stage(*, user, file_name: str, content: bytes) -> ClientImport:
    """Read and check an uploaded register and keep it for the preview; nothing is imported.
    The user's earlier staged imports are dropped (one preview at a time)."""
    organisation = _importing_organisation(user)
    file_name = PurePath(file_name or "").name[:255]
    if not file_name:
        raise InvalidInput({"file": [_("Choose a file.")]})
    if len(content) > MAX_BYTES:
        message = _("The file is larger than %(n)s MB.")
        raise InvalidInput({"file": [message % {"n": MAX_BYTES // (1024 * 1024)}]})
    sheet = read_file(name=file_name, content=content)
    columns, ignored = match_header(sheet.header)
    labels = {field: sheet.header[index] for index, field in columns.items()}
    rows, problems, checked = [], [], []
    for number, cells in sheet.rows:
        values = {
            field: cell_value(field, cells[index] if index < len(cells) else None)
            for index, field in columns.items()
        }
        client, errors = validated_client(values, organisation=organisation)
        # A refused cell is shown as it was in the file.
        shown = {name: values[name] if name in errors else getattr(client, name) for name in values}
        for field, messages in errors.items():
            column = labels.get(field) or (_label(field) if field in CLIENT_FIELDS else "")
            problems.append({"row": number, "field": field, "column": column, "messages": messages})
        stored = {name: _json(shown.get(name, getattr(client, name))) for name in CLIENT_FIELDS}
        rows.append({"row": number, "values": stored})
        checked.append((number, client))
    if not rows:
        raise InvalidInput({"file": [_("The file has a header but no rows.")]})
    ClientImport.objects.filter(uploaded_by=user).delete()
    return ClientImport.objects.create(
        organisation=organisation,
        uploaded_by=user,
        file_name=file_name,
        rows=rows,
        problems=problems,
        duplicates=find_duplicates(checked, organisation=organisation),
        ignored_columns=ignored,
    )


def client_import_get(*, user, import_id: int, for_update: bool = False) -> ClientImport:
    """A staged import: only its uploader, still importing for the same organisation, sees it."""
    organisation = _importing_organisation(user)
    staged = ClientImport.objects.filter(uploaded_by=user, organisation=organisation)
    if for_update:
        staged = staged.select_for_update()
    try:
        return staged.get(pk=import_id)
    except (ClientImport.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


@dataclass
class PreviewRow:
    row: int
    values: dict
    problems: list[dict]
    duplicates: list[str]


def preview_rows(staged: ClientImport, *, start: int, stop: int, only_flagged: bool = False):
    """Rows ``start:stop`` of the preview with their problems and duplicates (no query: the
    staged import holds them all)."""
    problems: dict[int, list] = {}
    for problem in staged.problems:
        problems.setdefault(problem["row"], []).append(problem)
    duplicates: dict[int, list] = {}
    for duplicate in staged.duplicates:
        duplicates.setdefault(duplicate["row"], []).append(describe_duplicate(duplicate))
    rows = staged.rows
    if only_flagged:
        rows = [r for r in rows if r["row"] in problems or r["row"] in duplicates]
    return len(rows), [
        PreviewRow(
            row=r["row"],
            values=r["values"],
            problems=problems.get(r["row"], []),
            duplicates=duplicates.get(r["row"], []),
        )
        for r in rows[start:stop]
    ]


def rows_with_problems(staged: ClientImport) -> list[int]:
    return sorted({problem["row"] for problem in staged.problems})


@service
def client_import_confirm(*, user, import_id: int, accept_duplicates: bool = False) -> int:
    """Import every row of a staged import, or none: refused while a row has an error, or has
    possible duplicates the user did not accept. Answers the number of clients imported."""
    staged = client_import_get(user=user, import_id=import_id, for_update=True)
    bad_rows = rows_with_problems(staged)
    if bad_rows:
        raise GuardFailed(
            ngettext(
                "Row %(rows)s has errors: correct the file and upload it again.",
                "Rows %(rows)s have errors: correct the file and upload it again.",
                len(bad_rows),
            )
            % {"rows": ", ".join(map(str, bad_rows[:20]))}
        )
    organisation = staged.organisation
    checked = []
    for entry in staged.rows:
        client, errors = validated_client(entry["values"], organisation=organisation)
        if errors:
            field = next(iter(errors))
            message = _("Row %(row)s, %(column)s: %(messages)s")
            raise InvalidInput(
                {
                    field: [
                        message
                        % {
                            "row": entry["row"],
                            "column": _label(field) if field in CLIENT_FIELDS else field,
                            "messages": " ".join(errors[field]),
                        }
                    ]
                }
            )
        checked.append((entry["row"], client))
    duplicates = find_duplicates(checked, organisation=organisation)
    if duplicates and not accept_duplicates:
        rows = sorted({d["row"] for d in duplicates})
        raise GuardFailed(
            ngettext(
                "Row %(rows)s may be a client already registered: confirm that it is a "
                "different person, or remove it from the file.",
                "Rows %(rows)s may be clients already registered: confirm that they are "
                "different people, or remove them from the file.",
                len(rows),
            )
            % {"rows": ", ".join(map(str, rows[:20]))}
        )
    moment = timezone.now()
    clients = []
    for _number, client in checked:
        client.fold_names()
        client.created_at = moment
        clients.append(client)
    bulk_create_with_history(
        clients,
        model=Client,
        user=user,
        reason=f"{REASON}: {staged.file_name}",
        batch_size=BATCH,
    )
    staged.delete()
    return len(clients)


@service
def client_import_discard(*, user, import_id: int) -> None:
    client_import_get(user=user, import_id=import_id, for_update=True).delete()


def purge_stale_imports(*, now: datetime.datetime | None = None, apply: bool = True) -> int:
    """Delete (``apply``) or count the staged imports older than ``STALE_AFTER``: held
    personal data nobody confirmed (``manage.py purge_expired``)."""
    stale = ClientImport.objects.filter(uploaded_at__lt=(now or timezone.now()) - STALE_AFTER)
    if not apply:
        return stale.count()
    deleted, _by_model = stale.delete()
    return deleted
