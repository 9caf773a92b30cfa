"""Client register files for the import's tests (casework/register_import.py): rows as dicts by
client field, written as XLSX (openpyxl) or CSV with the column names of a chosen language.

    rows = register_rows(50, bad={7: {"birth_year": 1850}})
    content = xlsx_file(rows)            # Hungarian header, like the funder's sheet
    content = csv_file(rows, header=EN)  # English header, ";" and a byte-order mark
"""

from __future__ import annotations

import csv
import datetime
import io

from openpyxl import Workbook

# The columns a register file has, by client field, in Hungarian and English.
HU = {
    "family_name": "Családi név",
    "given_name": "Utónév",
    "birth_year": "Születési év",
    "birth_date": "Születési dátum",
    "gender": "Nem",
    "settlement": "Település",
    "phone": "Telefonszám",
    "labour_market_status": "Munkaerőpiaci státusz",
    "education_level": "Iskolai végzettség belépéskor",
    "household": "Háztartási helyzet",
    "target_groups": "Célcsoportok",
    "third_country_national": "Harmadik országbeli állampolgár",
}
EN = {
    "family_name": "family name",
    "given_name": "given name",
    "birth_year": "year of birth",
    "birth_date": "date of birth",
    "gender": "gender",
    "settlement": "settlement",
    "phone": "phone",
    "labour_market_status": "labour-market status",
    "education_level": "education level at entry",
    "household": "household situation",
    "target_groups": "target groups",
    "third_country_national": "third-country national",
}

_FAMILY = ["Kovács", "Szabó", "Horváth", "Tóth", "Nagy", "Balogh", "Lakatos", "Oláh", "Kiss"]
_GIVEN = ["Anna", "Erzsébet", "János", "Zoltán", "Mária", "Gábor", "Ilona", "László"]


def register_row(index: int, **overrides) -> dict:
    """A valid row, unique by ``index`` (the given name carries it), in the values a person
    would type: Hungarian labels, a Hungarian date."""
    year = 1960 + index % 40
    row = {
        "family_name": _FAMILY[index % len(_FAMILY)],
        "given_name": f"{_GIVEN[index % len(_GIVEN)]} {index:05d}",
        "birth_year": year,
        "birth_date": f"{year}. {1 + index % 12:02d}. {1 + index % 28:02d}.",
        "gender": "nő" if index % 2 else "férfi",
        "settlement": "Ózd",
        "phone": f"+36 30 {index:07d}",
        "labour_market_status": "tartósan munkanélküli",
        "education_level": "isced_2",
        "household": "other",
        "target_groups": "long_term_unemployed; young_person" if index % 3 else "",
        "third_country_national": "nem",
    }
    row.update(overrides)
    return row


def register_rows(count: int, *, bad: dict[int, dict] | None = None) -> list[dict]:
    """``count`` valid rows; ``bad`` overrides fields of some rows (by 0-based index)."""
    bad = bad or {}
    return [register_row(i, **bad.get(i, {})) for i in range(count)]


def file_row_number(index: int) -> int:
    """The spreadsheet row of ``register_rows()[index]``: the header is row 1."""
    return index + 2


def xlsx_file(rows: list[dict], *, header: dict[str, str] = HU, dates_as_cells=False) -> bytes:
    """An XLSX workbook, header in row 1. ``dates_as_cells`` writes the date of birth as a
    real date cell (as Excel keeps a typed date) instead of text."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Résztvevők"
    fields = list(header)
    sheet.append([header[field] for field in fields])
    for row in rows:
        cells = []
        for field in fields:
            value = row.get(field, "")
            if dates_as_cells and field == "birth_date" and value:
                year, month, day = (int(part) for part in value.rstrip(".").split(". "))
                value = datetime.date(year, month, day)
            cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_file(
    rows: list[dict], *, header: dict[str, str] = HU, delimiter: str = ";", bom: bool = True
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    fields = list(header)
    writer.writerow([header[field] for field in fields])
    for row in rows:
        writer.writerow([row.get(field, "") for field in fields])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


def bad_and_corrected_xlsx(folder, name: str, count: int, bad: dict[int, dict]):
    """Two files in ``folder``: ``<name>.xlsx`` with the ``bad`` rows, and
    ``<name>-javitott.xlsx``, the same register corrected (what the browser tests upload)."""
    first = folder / f"{name}.xlsx"
    first.write_bytes(xlsx_file(register_rows(count, bad=bad)))
    corrected = folder / f"{name}-javitott.xlsx"
    corrected.write_bytes(xlsx_file(register_rows(count)))
    return first, corrected
