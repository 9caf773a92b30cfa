"""Reading a client register: CSV (UTF-8 with or without a byte-order mark, ";" or ","), XLSX,
headers in Hungarian or English, and files that cannot be read refused with a reason."""

import datetime

import pytest

from casework.register_import import cell_value, match_header, read_file
from kernel.errors import InvalidInput

from ..register_files import EN, HU, csv_file, register_rows, xlsx_file


def _records(sheet):
    columns, _ignored = match_header(sheet.header)
    return [
        {field: cell_value(field, cells[i]) for i, field in columns.items()}
        for _number, cells in sheet.rows
    ]


@pytest.mark.parametrize(
    ("delimiter", "bom", "header"),
    [(";", True, HU), (",", False, HU), (",", True, EN), (";", False, EN)],
)
def test_a_csv_file_reads_the_same_whatever_its_delimiter_mark_and_header_language(
    delimiter, bom, header
):
    rows = register_rows(3)
    sheet = read_file(
        name="register.csv", content=csv_file(rows, header=header, delimiter=delimiter, bom=bom)
    )

    records = _records(sheet)

    assert [number for number, _cells in sheet.rows] == [2, 3, 4]
    assert records[1]["family_name"] == rows[1]["family_name"]
    assert records[1]["gender"] == "female"  # "nő" in the file
    assert records[1]["labour_market_status"] == "long_term_unemployed"
    assert records[1]["birth_date"] == datetime.date(1961, 2, 2)
    assert records[1]["target_groups"] == ["long_term_unemployed", "young_person"]
    assert records[1]["third_country_national"] is False


def test_an_xlsx_file_reads_text_and_date_cells_alike():
    rows = register_rows(2)

    as_text = _records(read_file(name="r.xlsx", content=xlsx_file(rows)))
    as_dates = _records(read_file(name="R.XLSX", content=xlsx_file(rows, dates_as_cells=True)))

    assert as_text == as_dates
    assert as_text[0]["birth_date"] == datetime.date(1960, 1, 1)
    assert as_text[0]["birth_year"] == "1960"


def test_empty_rows_are_skipped_and_row_numbers_stay_those_of_the_spreadsheet():
    content = "family name;given name\n\nKovács;Anna\n;\nNagy;Béla\n".encode()

    sheet = read_file(name="r.csv", content=content)

    assert [number for number, _cells in sheet.rows] == [3, 5]


def test_columns_that_match_no_client_field_are_listed_as_ignored():
    _columns, ignored = match_header(["Családi név", "Utónév", "Lakcím", "Megjegyzés"])

    assert ignored == ["Lakcím", "Megjegyzés"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("register.pdf", b"%PDF", "Upload a CSV or an XLSX file."),
        ("register.csv", "családi név;utónév\n".encode("cp1250"), "not in UTF-8"),
        ("register.xlsx", b"not a zip", "could not be read"),
        ("register.csv", b"", "empty"),
        ("register.csv", "gender;settlement\nnő;Ózd\n".encode(), "no column for: family name"),
        ("register.csv", b"family name;priezvisko;given name\n", "both hold"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(name, content, expected):
    with pytest.raises(InvalidInput) as refused:
        sheet = read_file(name=name, content=content)
        match_header(sheet.header)

    assert expected in " ".join(refused.value.field_errors["file"])
