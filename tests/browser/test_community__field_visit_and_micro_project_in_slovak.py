"""Community work in Slovak, in real browsers: a community consultant logs a field visit on a
360-px-wide phone screen, a supervisor approves a micro-project, and the partner's responsible
person, waiting on the home page, sees the notification arrive live (no reload)."""

import pytest
from django.utils import timezone, translation

from casework.roles import Role
from community import services

from ..factories import staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
TODAY = timezone.localdate()


def slovak(text: str) -> str:
    with translation.override("sk"):
        return str(translation.gettext(text))


def log_in(browser, server_url, username, viewport):
    context = browser.new_context(locale="sk-SK", viewport=viewport)
    page = context.new_page()
    page.goto(f"{server_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{server_url}/")
    return page


def fits_the_screen(page) -> bool:
    """Nothing wider than the viewport: no sideways scrolling on the phone."""
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.fixture
def proposed_project(world):
    """A Slovak-speaking team: a consultant who proposed a micro-project with the social worker
    as its responsible person, and the supervisor who decides. Made before the browser starts
    (the ORM cannot run beside Playwright's event loop)."""
    consultant = staff(Role.COMMUNITY_CONSULTANT, world.org, username="consultant")
    for user in (consultant, world.supervisor, world.worker):
        user.staff_profile.language = "sk"
        user.staff_profile.save()
    project = services.project_propose(
        user=consultant,
        programme_id=world.programme.pk,
        title="Komunitná záhrada",
        settlement="Tornaľa",
        budget=4800,
        starts_on=TODAY,
        ends_on=TODAY.replace(year=TODAY.year + 1),
        responsible_id=world.worker.pk,
    )
    return project


def test_a_consultant_logs_a_visit_on_a_phone_and_the_partner_sees_the_approval_live(
    world, proposed_project, server_url, browser, screenshots
):
    project = proposed_project
    expected = {
        "recorded": slovak("Field visit recorded."),
        "title": slovak("Micro-project %(project)s is now: %(status)s")
        % {"project": "Komunitná záhrada", "status": slovak("approved")},
        "log": slovak("Log a field visit"),
    }
    project_url = f"{server_url}{project.get_absolute_url()}"

    # --- the consultant, on a phone -------------------------------------------------------
    phone = log_in(browser, server_url, "consultant", PHONE)
    assert phone.locator("html").get_attribute("lang") == "sk"
    phone.goto(f"{server_url}/events/field/")
    phone.get_by_role("link", name=expected["log"]).click()
    phone.wait_for_url("**/events/field/new/")
    assert fits_the_screen(phone)
    phone.check("input[name=kind][value=visit]")
    phone.fill("input[name=visited_on]", TODAY.isoformat())
    phone.fill("input[name=settlement]", "Tornaľa")
    phone.fill("input[name=locality]", "Osada Hámor")
    phone.fill("input[name=topic]", "Školská dochádzka")
    phone.fill("input[name=people_reached]", "12")
    phone.fill("textarea[name=follow_up]", "Stretnutie s riaditeľkou školy.")
    phone.screenshot(path=str(screenshots / "community-visit-form-phone-sk.png"), full_page=True)
    with phone.expect_navigation():
        phone.locator("main form button[type=submit]").click()
    assert expected["recorded"] in phone.content()
    assert "Tornaľa – Osada Hámor" in phone.content()
    assert fits_the_screen(phone)
    phone.screenshot(path=str(screenshots / "community-visit-phone-sk.png"), full_page=True)
    # The other community pages fit the phone too.
    for path in (
        "/events/field/",
        project.get_absolute_url(),
        "/events/partnership/",
        "/events/action-plan/",
    ):
        phone.goto(f"{server_url}{path}")
        assert fits_the_screen(phone), path
    phone.goto(project_url)
    phone.screenshot(path=str(screenshots / "community-project-phone-sk.png"), full_page=True)

    # --- the partner's responsible person waits on the home page ---------------------------
    partner = log_in(browser, server_url, "worker", DESKTOP)
    badge = partner.locator("#notification-badge")
    badge_before = int(badge.get_attribute("data-count") or 0)

    # --- the supervisor approves -------------------------------------------------------------
    supervisor = log_in(browser, server_url, "supervisor", DESKTOP)
    supervisor.goto(project_url)
    supervisor.fill("textarea[name=decision-note]", "V súlade s akčným plánom.")
    with supervisor.expect_navigation():
        supervisor.locator("form.action-decision button.action-approve").click()
    assert supervisor.locator("h1 [data-status]").get_attribute("data-status") == "approved"

    partner.wait_for_function(
        "before => Number(document.querySelector('#notification-badge').dataset.count) > before",
        arg=badge_before,
        timeout=5000,
    )
    assert partner.url == f"{server_url}/"  # it arrived without a reload
    partner.goto(f"{server_url}/notifications/")
    assert expected["title"] in partner.content()
    partner.screenshot(path=str(screenshots / "community-partner-notified-sk.png"))
