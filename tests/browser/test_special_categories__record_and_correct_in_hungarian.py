"""The case's social worker records the client's minority on the case page in Hungarian, then
corrects it with a reason; the version list shows both (screenshot under
artifacts/screenshots/)."""

import pytest
from django.utils import translation

from .test_journey__three_users_in_hungarian import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def hungarian(text: str) -> str:
    with translation.override("hu"):
        return str(translation.gettext(text))


def test_the_social_worker_records_and_corrects_the_minority_in_hungarian(
    world, case, server_url, browser, screenshots
):
    case_url = f"{server_url}{case.get_absolute_url()}"  # read before the browser starts
    page = log_in(browser, server_url, world.worker.username)
    page.goto(case_url)
    section = page.locator("#special-categories")
    assert section.locator("h2").inner_text() == hungarian("Special categories of data")

    form = section.locator("form").first
    form.locator("select[name=answer]").select_option("yes")
    form.locator("select[name=minority]").select_option("roma")
    with page.expect_navigation():
        form.locator("button").click()
    facts = page.locator('dl[data-category="ethnicity"]')
    assert hungarian("Roma") in facts.inner_text()

    form = page.locator("#special-categories form").first
    form.locator("select[name=answer]").select_option("declined")
    form.locator("select[name=minority]").select_option("")
    form.locator("textarea[name=reason]").fill("Az ügyfél visszavonta a nyilatkozatát.")
    with page.expect_navigation():
        form.locator("button").click()
    facts = page.locator('dl[data-category="ethnicity"]')
    assert hungarian("declined to answer") in facts.inner_text()
    versions = page.locator("#special-categories details").first
    versions.locator("summary").click()
    assert "Az ügyfél visszavonta a nyilatkozatát." in versions.inner_text()
    page.screenshot(path=str(screenshots / "special-categories.png"), full_page=True)
    page.context.close()
