"""The programme admin sets up a new programme in Hungarian from the menu: the settings form
(a refused end date shown on its field, then corrected), a location, a new partner office and
a target for that partner at that location (screenshots under artifacts/screenshots/)."""

import pytest
from django.utils import translation

from .test_journey__three_users_in_hungarian import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def hungarian(text: str, context: str | None = None) -> str:
    with translation.override("hu"):
        if context:
            return str(translation.pgettext(context, text))
        return str(translation.gettext(text))


def submit(page, heading: str) -> None:
    """Press the submit button of the form under the card headed ``heading``."""
    card = page.locator("section.card", has=page.locator(f"h2:text-is('{heading}')"))
    with page.expect_navigation():
        card.locator("button[type=submit]").click()


def test_the_programme_admin_sets_up_a_programme_in_hungarian(
    world, server_url, browser, screenshots
):
    page = log_in(browser, server_url, world.admin.username)
    page.click(f"nav >> text={hungarian('Programme set-up', 'programme set-up')}")
    page.wait_for_url(f"{server_url}/setup/")
    assert world.programme.name in page.locator("table").inner_text()

    with page.expect_navigation():
        # Exactly this link: "Új program sablonból" (from a template) begins with the same words.
        page.click(f"a:text-is('{hungarian('New programme', 'programme set-up')}')")
    page.fill("input[name=name]", "Hegyháti koordinációs fórumok")
    page.fill("input[name=funder_code]", "TOP-5.3.1-16-BA1-2017-00001")
    page.select_option("select[name=country]", "HU")
    page.fill("input[name=starts_on]", "2025-01-01")
    page.fill("input[name=ends_on]", "2024-12-31")
    with page.expect_navigation():
        page.click("main form button.primary")
    assert hungarian("The end of the period cannot be before its start.") in page.inner_text(
        "main form"
    )
    page.fill("input[name=ends_on]", "2027-12-31")
    with page.expect_navigation():
        page.click("main form button.primary")
    assert hungarian("The programme is created.") in page.inner_text(".messages")
    page.screenshot(path=str(screenshots / "setup-settings.png"), full_page=True)

    page.click(f"nav.subnav >> text={hungarian('Locations', 'programme set-up')}")
    page.fill("input[name=name]", "Sásd")
    page.check("input[name=rural]")
    submit(page, hungarian("Add a location"))
    assert "Sásd" in page.locator("table").inner_text()

    page.click(f"nav.subnav >> text={hungarian('Partners', 'programme set-up')}")
    page.select_option("#id_role", "partner")
    page.fill("input[name=name]", "Sásdi Járási Hivatal Foglalkoztatási Osztály")
    page.select_option("select[name=kind]", "labour_office")
    page.fill("input[name=settlement]", "Sásd")
    submit(page, hungarian("Add a partner"))
    assert "Sásdi Járási Hivatal" in page.locator("table").inner_text()

    page.click(f"nav.subnav >> text={hungarian('Targets', 'programme set-up')}")
    page.select_option("select[name=indicator]", "forums")
    page.select_option(
        "select[name=organisation]", label="Sásdi Járási Hivatal Foglalkoztatási Osztály"
    )
    page.select_option("select[name=settlement]", "Sásd")
    page.fill("input[name=value]", "18")
    page.fill("input[name=deadline]", "2027-12-31")
    submit(page, hungarian("Set a target"))
    assert hungarian("The target is saved.") in page.inner_text(".messages")
    row = page.locator("table tbody tr").first.inner_text()
    assert "Sásdi Járási Hivatal" in row and "Sásd" in row and "18" in row
    page.screenshot(path=str(screenshots / "setup-targets.png"), full_page=True)
