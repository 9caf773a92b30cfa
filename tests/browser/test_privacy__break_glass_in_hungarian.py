"""A social worker of a partner organisation opens a case of another team by its number and a
reason, in Hungarian; the case's supervisor finds the access on the review list and marks it
reviewed with a note."""

import pytest
from django.utils import translation

from casework import services

from ..conftest import new_client
from .test_journey__three_users_in_hungarian import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Az ügyfél válsághelyzetben telefonált, a kollégája szabadságon van"


def hungarian(text: str) -> str:
    with translation.override("hu"):
        return str(translation.gettext(text))


@pytest.fixture
def other_teams_case(world):
    """Built before the browser starts: Playwright's event loop forbids the ORM afterwards."""
    client = new_client(world)
    return services.case_open(
        user=world.worker, client_id=client.pk, programme_id=world.programme.pk
    )


def test_break_glass_is_opened_with_a_reason_and_reviewed_by_the_cases_supervisor(
    world, other_teams_case, server_url, browser, screenshots
):
    case = other_teams_case
    page = log_in(browser, server_url, world.other_worker.username)
    page.goto(f"{server_url}/cases/")
    with page.expect_navigation():
        page.locator("a[href='/privacy/break-glass/']").click()
    assert hungarian("Open a case of another team (break-glass)") in page.inner_text("h1")
    page.fill("input[name=number]", case.number)
    page.fill("textarea[name=reason]", REASON)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url == f"{server_url}{case.get_absolute_url()}"
    assert case.number in page.inner_text("main")
    page.screenshot(path=str(screenshots / "privacy-break-glass-opened.png"))
    page.context.close()

    page = log_in(browser, server_url, world.supervisor.username)
    with page.expect_navigation():
        page.click(f"nav >> text={hungarian('Break-glass review')}")
    row = page.locator("table tbody tr").first
    assert REASON in row.inner_text()
    row.locator("input[name=note]").fill("Felhívtam a kollégát: indokolt")
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    assert "Felhívtam a kollégát: indokolt" in page.locator("table").inner_text()
    page.context.close()
