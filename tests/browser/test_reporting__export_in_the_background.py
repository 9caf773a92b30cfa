"""The programme admin asks for the attendance summary in Hungarian: the export is built by a
thread of the daphne process after the request, the page polls its progress until the file is
ready, and the file downloads (the real server, not the test client)."""

import datetime
from pathlib import Path

import pytest
from django.utils import translation

from community import services as community

from .test_journey__three_users_in_hungarian import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def hungarian(text: str) -> str:
    with translation.override("hu"):
        return str(translation.gettext(text))


@pytest.fixture
def events(world):
    """Built before the browser starts: Playwright's event loop forbids the ORM afterwards."""
    for settlement in ("Ózd", "Putnok"):
        event = community.event_create(
            user=world.worker,
            programme_id=world.programme.pk,
            kind="forum",
            title=f"Fórum – {settlement}",
            settlement=settlement,
            held_on=datetime.date.today(),
        )
        community.event_record_attendance(
            user=world.worker,
            event_id=event.pk,
            client_ids=[],
            guests=[("Polgármester", settlement), ("Vendég", settlement)],
        )
    return world.programme.pk


def test_the_attendance_summary_is_built_in_the_background_and_downloads(
    world, events, server_url, browser
):
    programme_id = events
    page = log_in(browser, server_url, world.admin.username)
    page.goto(f"{server_url}/reporting/exports/{programme_id}/")
    page.select_option("select[name=kind]", "attendance_summary")
    page.select_option("select[name=format]", "csv")
    with page.expect_navigation():
        page.click(f"text={hungarian('Start the export')}")
    assert "/reporting/export/" in page.url
    link = page.locator("#export-download a")
    link.wait_for(state="visible", timeout=30_000)
    assert page.locator("#export-percent").inner_text() == "100"
    assert page.locator("#export-label").inner_text() == hungarian("ready")
    with page.expect_download() as download:
        link.click()
    content = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert content[0].split(",")[0] == hungarian("date")
    assert sorted(line.split(",")[1] for line in content[1:3]) == ["Putnok", "Ózd"]
    assert content[3] == f"{hungarian('total')},,,,,0,4"
    page.context.close()
