"""The participant-level ESF+ data sheet: one row per participant with codes, the exit date and
the results; the XLSX opens with openpyxl and its figures are the dashboard's; scoped and
permitted like the dashboard; one query whatever the number of participants."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from casework.models import Gender, LabourMarketStatus, Programme
from reporting import datasheet
from reporting.indicators import Scope
from reporting.selectors import indicator_report

from ..esf import (
    FIRST,
    SECOND,
    answer,
    leave,
    other_organisation_participant,
    participant,
    settlements,
    years_before,
)
from ..journey import TODAY

DAY = datetime.timedelta(days=1)
LEFT = TODAY - 250 * DAY
ENTERED = (LEFT - 60 * DAY).replace(day=15)


@pytest.fixture
def sheet_cohort(world):
    """Two complete participants (one leaves and answers both follow-ups in time, one is still
    in the programme) and one incomplete (a settlement not in the list), in ``world.org``; one
    participant of the other organisation."""
    settlements()
    complete = {
        "birth_date": years_before(ENTERED, 30),
        "birth_year": ENTERED.year - 30,
        "labour_market_status": LabourMarketStatus.UNEMPLOYED,
        "unemployed_since": ENTERED - 400 * DAY,
        "third_country_national": False,
        "foreign_origin": False,
        "housing_exclusion": False,
        "settlement": "Putnok",
    }
    leaver = participant(world, entry_on=ENTERED, family_name="Leaver", **complete)
    leaver = leave(leaver, world, left_on=LEFT)
    answer(
        leaver,
        world,
        FIRST,
        contacted_on=LEFT + 20 * DAY,
        job_searching=False,
        in_education=False,
        gained_qualification=True,
        employed=True,
    )
    answer(
        leaver, world, SECOND, contacted_on=LEFT + 190 * DAY, employed=True, improved_situation=True
    )
    staying = participant(
        world, entry_on=ENTERED, family_name="Staying", gender=Gender.MALE, **complete
    )
    incomplete = participant(
        world, entry_on=ENTERED, family_name="Gap", **{**complete, "settlement": "Sehol"}
    )
    other_organisation_participant(world, entry_on=ENTERED, today=TODAY)
    return {"leaver": leaver, "staying": staying, "incomplete": incomplete}


def _rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


@pytest.mark.django_db
def test_the_xlsx_has_one_row_per_participant_with_codes_and_agrees_with_the_dashboard(
    world, client, sheet_cohort
):
    client.force_login(world.supervisor)
    response = client.get(reverse("reporting:esf_datasheet", args=[world.programme.pk, "xlsx"]))
    assert response.status_code == 200
    header, *rows = _rows(response)
    assert header[:3] == ("case number", "partner organisation", "entry date")
    by_case = {row[0]: row for row in rows}
    assert set(by_case) == {case.number for case in sheet_cohort.values()}
    leaver = by_case[sheet_cohort["leaver"].number]
    assert leaver[2:15] == (
        ENTERED.isoformat(),
        "female",
        30,
        "30_54",
        "unemployed",
        1,  # 400 days before entry: over twelve months
        "isced_0_2",
        0,
        0,
        0,
        1,  # Putnok is rural
        1,
        LEFT.isoformat(),
    )
    assert leaver[15:21] == (0, 0, 1, 1, 1, 1)
    assert leaver[21:] == (None, None)  # no special category recorded
    staying = by_case[sheet_cohort["staying"].number]
    assert (staying[3], staying[14], staying[15:21]) == ("male", None, (None,) * 6)
    assert by_case[sheet_cohort["incomplete"].number][12:14] == (None, 0)

    # The supervisor's dashboard figures, from the same report the page renders.
    scope = Scope(
        programme=Programme.objects.get(pk=world.programme.pk),
        as_of=TODAY,
        organisation_ids=frozenset({world.org.pk}),
    )
    totals = {report.indicator.code: report.total.value for report in indicator_report(scope=scope)}
    complete_rows = [row for row in rows if row[13] == 1]
    assert totals["esf_participants"] == len(rows) == 3
    assert totals["esf_incomplete"] == len(rows) - len(complete_rows) == 1
    assert totals["esf_female"] == sum(row[3] == "female" for row in complete_rows) == 1
    assert totals["esf_male"] == sum(row[3] == "male" for row in complete_rows) == 1
    assert totals["esf_rural"] == sum(row[12] == 1 for row in complete_rows) == 2
    assert totals["esf_long_term_unemployed"] == sum(row[7] == 1 for row in complete_rows) == 2
    results = [
        "esf_exit_job_searching",
        "esf_exit_in_education",
        "esf_exit_qualification",
        "esf_exit_employed",
        "esf_6m_employed",
        "esf_6m_improved",
    ]
    for column, code in enumerate(results, start=15):
        assert totals[code] == sum(row[column] == 1 for row in rows), code
    page = client.get(reverse("reporting:dashboard", args=[world.programme.pk])).content.decode()
    assert reverse("reporting:esf_datasheet", args=[world.programme.pk, "xlsx"]) in page
    incomplete_row = page.split("participants whose entry record is incomplete")[1]
    assert '<span class="figure">1</span>' in incomplete_row.split("</tr>")[0]


@pytest.mark.django_db
def test_the_csv_has_the_same_rows(world, client, sheet_cohort):
    client.force_login(world.admin)
    xlsx = _rows(client.get(reverse("reporting:esf_datasheet", args=[world.programme.pk, "xlsx"])))
    response = client.get(reverse("reporting:esf_datasheet", args=[world.programme.pk, "csv"]))
    assert response["Content-Disposition"].endswith('.csv"')
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    as_text = [[("" if cell is None else str(cell)) for cell in row] for row in xlsx]
    assert lines == as_text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status", "rows"),
    [
        ("admin", 200, 4),
        ("supervisor", 200, 3),
        ("other_supervisor", 200, 1),
        ("worker", 404, None),
        ("mentor", 404, None),
    ],
)
def test_the_sheet_is_for_programme_admins_and_supervisors_scoped_like_the_dashboard(
    world, client, sheet_cohort, who, status, rows
):
    client.force_login(getattr(world, who))
    response = client.get(reverse("reporting:esf_datasheet", args=[world.programme.pk, "xlsx"]))
    assert response.status_code == status
    if rows is not None:
        assert len(_rows(response)) - 1 == rows


@pytest.mark.django_db
def test_the_sheet_is_read_in_one_query_whatever_the_number_of_participants(
    world, sheet_cohort, django_assert_num_queries
):
    scope = Scope(programme=Programme.objects.get(pk=world.programme.pk), as_of=TODAY)
    with django_assert_num_queries(1):
        rows = datasheet.datasheet_rows(scope=scope)
    assert len(rows) == 4
