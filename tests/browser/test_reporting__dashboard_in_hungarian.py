"""The programme admin opens the indicator dashboard in Hungarian, sees the forum target (18 at
6 locations) with its progress and chart, clicks the number and lands on the forums behind it;
the page is read at phone width too (screenshots under artifacts/screenshots/)."""

import datetime

import pytest
from django.utils import translation

from community import services as community
from reporting.services import target_set

from .test_journey__three_users_in_hungarian import PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def hungarian(text: str) -> str:
    with translation.override("hu"):
        return str(translation.gettext(text))


@pytest.fixture
def forum_targets(world):
    """Built before the browser starts: Playwright's event loop forbids the ORM afterwards."""
    for indicator, value in (("forums", 18), ("forum_locations", 6), ("event_attendance", 684)):
        target_set(
            user=world.admin,
            programme_id=world.programme.pk,
            indicator=indicator,
            value=value,
            deadline=world.programme.ends_on,
        )
    for settlement in ("Ózd", "Putnok", "Ózd"):
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
            guests=[("Polgármester", settlement), ("Kisebbségi önkormányzat", settlement)],
        )
    return world.programme.pk


def test_the_programme_admin_follows_the_forum_target_to_the_forums_behind_it(
    world, forum_targets, server_url, browser, screenshots
):
    forums_label = hungarian("community forums held")
    programme_id = forum_targets

    page = log_in(browser, server_url, world.admin.username)
    page.click(f"nav >> text={hungarian('Indicators')}")
    page.wait_for_url(f"{server_url}/reporting/{programme_id}/")
    forums = page.locator("#ind-forums").locator("..")
    assert forums.locator("h2").inner_text() == forums_label
    assert "3 / 18" in forums.inner_text()
    assert "2 / 6" in page.locator("#ind-forum_locations").locator("..").inner_text()
    assert forums.locator("svg.chart polyline.actual").count() == 1
    assert forums.locator("svg.chart polyline.planned").count() == 1
    # The participants by special category: aggregates only, nothing to click through to.
    special = page.locator("#special-categories")
    assert special.locator("h2").inner_text() == hungarian("ESF+ participants by special category")
    assert special.locator("a").count() == 0
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(screenshots / "reporting-dashboard-phone.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1

    with page.expect_navigation():
        forums.locator("a.number").click()
    assert page.url.startswith(f"{server_url}/reporting/{programme_id}/forums/")
    rows = page.locator("table tbody tr")
    assert rows.count() == 3
    assert "Fórum – Putnok" in page.locator("table").inner_text()
    page.context.close()
