"""A consortium's first day in Lépés, in Hungarian (issue 13): the programme admin creates a
programme from the Hegyhát template, adds a location and invites a social worker, imports the
existing register (a 50-row XLSX whose two bad rows the preview names; the corrected file
imports all 50); the new social worker sets a password from the invitation e-mail, finds an
imported client without accents, opens a case dated last week and records last week's consent
from the signed paper form. The timeline shows both when it was entered and the day it is
about."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import formats, timezone, translation

from casework.programme_templates import template_get

from ..notifications.servers import daphnes
from ..register_files import bad_and_corrected_xlsx, file_row_number
from .test_journey__three_users_in_hungarian import DESKTOP, act, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()
LAST_WEEK = TODAY - datetime.timedelta(days=7)
PASSWORD = "Hegyhati-forum-2026"


def hungarian(text: str, context: str | None = None) -> str:
    with translation.override("hu"):
        if context:
            return str(translation.pgettext(context, text))
        return str(translation.gettext(text))


@pytest.fixture
def mail_dir(tmp_path, monkeypatch) -> Path:
    """The server process writes its mail here (tests/notifications/daphne_settings.py)."""
    folder = tmp_path / "mail"
    folder.mkdir()
    monkeypatch.setenv("TEST_EMAIL_DIR", str(folder))
    return folder


@pytest.fixture
def server_url(mail_dir, transactional_db):
    with daphnes(1) as (server,):
        yield f"http://{server.host}"


@pytest.fixture
def register_files(tmp_path):
    """Written before the browser starts: Playwright's event loop forbids the ORM afterwards."""
    return bad_and_corrected_xlsx(
        tmp_path, "hegyhati-nyilvantartas", 50, bad={4: {"birth_year": 1850}, 41: {"gender": "?"}}
    )


def invitation_link(mail_dir: Path) -> str:
    (message,) = mail_dir.iterdir()
    match = re.search(r"http://\S+/accounts/reset/\S+/", message.read_text(encoding="utf-8"))
    assert match, message.read_text(encoding="utf-8")
    return match.group(0)


def test_a_new_programme_s_first_day_from_template_to_a_paper_consent(
    world, register_files, mail_dir, server_url, browser, screenshots
):
    bad, fixed = register_files
    with translation.override("hu"):
        expected_about = translation.gettext("about %(day)s (entered later)") % {
            "day": formats.date_format(LAST_WEEK, "SHORT_DATE_FORMAT")
        }
    template = template_get("hegyhat_forums")
    with translation.override("hu"):
        template_name = str(template.name)
    programme_start = TODAY.replace(day=1) - datetime.timedelta(days=60)
    admin_org = world.org.name

    # --- the programme admin: a programme from the template ----------------------------------
    admin = log_in(browser, server_url, world.admin.username)
    admin.click(f"nav >> text={hungarian('Programme set-up', 'programme set-up')}")
    admin.wait_for_url(f"{server_url}/setup/")
    with admin.expect_navigation():
        admin.click(f"text={hungarian('New programme from a template')}")
    assert template_name in admin.inner_text("main")  # the templates are described
    admin.select_option("select[name=template]", "hegyhat_forums")
    admin.fill("input[name=funder_code]", "TOP-5.3.1-HEGYHAT-2026")
    admin.fill("input[name=starts_on]", programme_start.isoformat())
    with admin.expect_navigation():
        admin.click("main form button.primary")
    settings_url = admin.url
    programme_id = int(re.search(r"/setup/(\d+)/", settings_url).group(1))
    assert hungarian("The programme is created.") in admin.inner_text("body")
    assert admin.input_value("input[name=name]") == template.names["hu"]

    # --- a location beyond the template's six ------------------------------------------------
    admin.goto(f"{server_url}/setup/{programme_id}/locations/")
    locations = admin.locator("main table").inner_text()
    assert all(location.name in locations for location in template.locations)
    admin.fill("input[name=name]", "Mágocs")
    admin.check("input[name=rural]")
    with admin.expect_navigation():
        admin.locator("main form:has(input[name=name]) button[type=submit]").click()
    assert "Mágocs" in admin.locator("main table").inner_text()
    admin.screenshot(path=str(screenshots / "first-day-locations.png"))

    # --- a member of staff: the new social worker --------------------------------------------
    admin.click(f"nav >> text={hungarian('Staff')}")
    with admin.expect_navigation():
        admin.click(f"text={hungarian('Invite a member of staff')}")
    admin.fill("input[name=email]", "eszter.varga@hegyhat.example")
    admin.fill("input[name=first_name]", "Eszter")
    admin.fill("input[name=last_name]", "Varga")
    admin.select_option("select[name=organisation]", label=admin_org)
    admin.select_option("select[name=role]", "social_worker")
    with admin.expect_navigation():
        admin.click("main form button[type=submit]")
    assert "Varga" in admin.inner_text("main")
    link = invitation_link(mail_dir)

    # --- the existing register: two bad rows, then the corrected file ------------------------
    with admin.expect_navigation():  # a programme admin sees no client list, only the import
        admin.click(f"nav a:text-is('{hungarian('Import clients')}')")
    admin.set_input_files("input[name=file]", str(bad))
    with admin.expect_navigation():
        admin.locator("main form button[type=submit]").click()
    errors = admin.locator("table.import-errors").inner_text()
    assert f"{file_row_number(4)}\tSzületési év" in errors
    assert f"{file_row_number(41)}\tNem" in errors
    assert "2 sor hibás." in admin.inner_text("main")
    admin.set_input_files("input[name=file]", str(fixed))
    with admin.expect_navigation():
        admin.locator("main form[enctype] button[type=submit]").click()
    assert "sor hibás." not in admin.inner_text("main")
    with admin.expect_navigation():
        admin.click("main button >> text=50 ügyfél importálása")
    assert "50 ügyfél importálva" in admin.inner_text("body")
    admin.context.close()

    # --- the social worker: a password from the invitation, then a case --------------------
    worker = browser.new_context(locale="hu-HU", viewport=DESKTOP).new_page()
    worker.goto(link)
    worker.fill("input[name=new_password1]", PASSWORD)
    worker.fill("input[name=new_password2]", PASSWORD)
    with worker.expect_navigation():
        worker.click("main form button[type=submit]")
    worker.goto(f"{server_url}/accounts/login/")
    worker.fill("input[name=username]", "eszter.varga@hegyhat.example")
    worker.fill("input[name=password]", PASSWORD)
    worker.click("form button[type=submit]")
    worker.wait_for_url(f"{server_url}/")

    worker.click(f"nav >> text={hungarian('Clients')}")
    worker.fill("input[name=q]", "kovacs")  # no accents: finds Kovács
    with worker.expect_navigation():
        worker.press("input[name=q]", "Enter")
    row = worker.locator("main table tbody tr", has_text="Anna 00000")
    assert "Kovács" in row.inner_text()
    with worker.expect_navigation():
        row.locator("a", has_text=hungarian("Open a case")).click()
    worker.select_option("select[name=programme]", str(programme_id))
    worker.fill("input[name=opened_on]", LAST_WEEK.isoformat())
    with worker.expect_navigation():
        worker.click("main form button[type=submit]")
    assert "TOP-5.3.1-HEGYHAT-2026/0001" in worker.inner_text("main")

    worker.fill("input[name=consent-given_on]", LAST_WEEK.isoformat())
    act(worker, "consent")
    facts = worker.inner_text("main")
    assert hungarian("consent recorded on") in facts
    worker.screenshot(path=str(screenshots / "first-day-case-with-paper-consent.png"))

    # The timeline: entered today, about last week.
    with worker.expect_navigation():
        worker.click(f"main >> text={hungarian('Audit trail')}")
    assert expected_about in worker.locator("main table").inner_text()
    worker.context.close()
