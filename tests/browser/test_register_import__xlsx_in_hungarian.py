"""A supervisor imports a 50-row XLSX register in Hungarian: the preview names the two bad rows
by row and column; the corrected file imports all 50."""

import pytest
from django.utils import translation

from ..register_files import bad_and_corrected_xlsx, file_row_number
from .test_journey__three_users_in_hungarian import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def hungarian(text: str) -> str:
    with translation.override("hu"):
        return str(translation.gettext(text))


@pytest.fixture
def register_files(tmp_path):
    """Written before the browser starts: Playwright's event loop forbids the ORM afterwards."""
    return bad_and_corrected_xlsx(
        tmp_path, "nyilvantartas", 50, bad={9: {"birth_year": 1850}, 30: {"gender": "?"}}
    )


def test_a_register_with_two_bad_rows_is_previewed_corrected_and_imported(
    world, register_files, server_url, browser, screenshots
):
    bad, fixed = register_files
    page = log_in(browser, server_url, world.supervisor.username)
    with page.expect_navigation():
        page.click(f"nav >> text={hungarian('Import clients')}")
    page.set_input_files("input[name=file]", str(bad))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    errors = page.locator("table.import-errors").inner_text()
    assert f"{file_row_number(9)}\tSzületési év" in errors
    assert f"{file_row_number(30)}\tNem" in errors
    assert "2 sor hibás." in page.inner_text("main")
    page.screenshot(path=str(screenshots / "register-import-preview-errors.png"))

    page.set_input_files("input[name=file]", str(fixed))
    with page.expect_navigation():
        page.locator("main form[enctype] button[type=submit]").click()
    assert "sor hibás." not in page.inner_text("main")
    with page.expect_navigation():
        page.click("main button >> text=50 ügyfél importálása")
    assert "50 ügyfél importálva innen: nyilvantartas-javitott.xlsx." in page.inner_text("body")
    page.context.close()
