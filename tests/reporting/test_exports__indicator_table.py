"""The funder's indicator table: the XLSX opens with openpyxl and its figures are the
dashboard's; the CSV neutralises formula cells."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from community import services as community
from reporting.services import target_set


@pytest.fixture
def forums(world):
    target_set(
        user=world.admin,
        programme_id=world.programme.pk,
        indicator="forums",
        value=18,
        deadline=world.programme.ends_on,
    )
    for settlement in ["Ózd", "Putnok", "=HYPERLINK()"]:
        event = community.event_create(
            user=world.worker,
            programme_id=world.programme.pk,
            kind="forum",
            title="F",
            settlement=settlement,
            held_on=datetime.date.today(),
        )
        community.event_record_attendance(
            user=world.worker, event_id=event.pk, client_ids=[], guests=[("G", settlement)]
        )


@pytest.mark.django_db
def test_the_xlsx_table_holds_the_dashboards_figures(world, client, forums):
    client.force_login(world.admin)
    response = client.get(reverse("reporting:export", args=[world.programme.pk, "xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    whole = {row[0]: row for row in rows[1:] if row and row[0] and not row[2] and not row[3]}
    assert whole["forums"][4] == 3 and whole["forums"][5] == 18
    assert whole["event_attendance"][4] == 3
    page = client.get(reverse("reporting:dashboard", args=[world.programme.pk])).content.decode()
    assert "3 / 18" in page
    locations = {row[3] for row in rows[1:] if row and row[0] == "forums" and row[3]}
    assert locations == {"Ózd", "Putnok", "'=HYPERLINK()"}


@pytest.mark.django_db
def test_the_csv_neutralises_a_cell_a_spreadsheet_would_run(world, client, forums):
    client.force_login(world.admin)
    body = client.get(reverse("reporting:export", args=[world.programme.pk, "csv"])).content
    assert b"'=HYPERLINK()" in body
    assert b",=HYPERLINK()" not in body


@pytest.mark.django_db
def test_an_export_is_scoped_like_the_dashboard(world, client, forums):
    client.force_login(world.mentor)
    assert (
        client.get(reverse("reporting:export", args=[world.programme.pk, "xlsx"])).status_code
        == 404
    )
    client.force_login(world.admin)
    assert (
        client.get(reverse("reporting:export", args=[world.programme.pk, "pdf"])).status_code == 404
    )
