"""One client's whole journey in Hungarian, clicked through by three users in separate browser
contexts: intake by the social worker, the plan by the mentor, approval by the supervisor, then
sessions, screening, placement, follow-ups and closure. Screenshots of each role's home page and
of the case page, at desktop and phone width, are saved under artifacts/screenshots/."""

import pytest
from django.utils import timezone, translation

from casework.journey import Stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate().isoformat()
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


def hungarian(text: str) -> str:
    with translation.override("hu"):
        return str(translation.gettext(text))


def hungarian_plural(singular: str, plural: str, n: int) -> str:
    with translation.override("hu"):
        return str(translation.ngettext(singular, plural, n))


def log_in(browser, server_url, username):
    context = browser.new_context(locale="hu-HU", viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{server_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{server_url}/")
    return page


def act(page, name):
    """Press the button of the case-page form for action ``name`` and wait for the reload."""
    with page.expect_navigation():
        page.locator(f"form.action-{name} button[type=submit]").click()


def shoot(page, folder, name):
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(folder / f"{name}-{label}.png"))
    page.set_viewport_size(DESKTOP)


def stage_of(page) -> str:
    return page.locator("[data-stage]").first.get_attribute("data-stage")


def test_three_users_take_one_client_through_the_whole_journey_in_hungarian(
    world, server_url, browser, screenshots
):
    # Everything the ORM must provide is read before the browser starts.
    expected = {
        "consent_missing": hungarian("Record the client's consent to data processing."),
        "mentor_missing": hungarian("Assign a mentor."),
        "attendance": hungarian_plural(
            "The client attended %(attended)s of the %(needed)s session required.",
            "The client attended %(attended)s of the %(needed)s sessions required.",
            2,
        )
        % {"attended": 0, "needed": 2},
        "screening": hungarian("Record the health screening as done or declined by the client."),
        "placement": hungarian(
            "Record the client's outcome at exit (employed, in training, job-seeking …)."
        ),
        "follow_up": hungarian(
            "Record these follow-ups, or mark the client unreachable: %(kinds)s."
        ).split("%(kinds)s")[0],
    }
    programme_id, mentor_id = world.programme.pk, world.mentor.pk

    worker = log_in(browser, server_url, "worker")
    mentor = log_in(browser, server_url, "mentor")
    supervisor = log_in(browser, server_url, "supervisor")
    assert worker.locator("html").get_attribute("lang") == "hu"
    shoot(worker, screenshots, "home-social-worker")

    # --- intake, by the social worker ------------------------------------------------------
    worker.goto(f"{server_url}/cases/new/")
    worker.select_option("select[name=programme]", str(programme_id))
    worker.fill("input[name=family_name]", "Lakatos")
    worker.fill("input[name=given_name]", "Erzsébet")
    worker.fill("input[name=birth_year]", "1988")
    worker.select_option("select[name=gender]", "female")
    worker.fill("input[name=settlement]", "Ózd")
    worker.select_option("select[name=labour_market_status]", "long_term_unemployed")
    worker.select_option("select[name=education_level]", "isced_2")
    worker.select_option("select[name=household]", "single_adult_with_children")
    worker.check("input[name=target_groups][value=single_parent]")
    with worker.expect_navigation():
        worker.click("main form button[type=submit]")
    case_url = worker.url.split("#")[0]
    assert stage_of(worker) == Stage.INTAKE

    act(worker, "advance")  # too early: the guard says what is missing
    guard_page = worker.content()
    assert expected["consent_missing"] in guard_page.replace("&#x27;", "'")
    assert expected["mentor_missing"] in guard_page
    assert stage_of(worker) == Stage.INTAKE

    worker.fill("input[name=consent-given_on]", TODAY)
    act(worker, "consent")
    worker.select_option("select[name=assign_mentor-mentor]", str(mentor_id))
    act(worker, "assign_mentor")
    act(worker, "advance")
    assert stage_of(worker) == Stage.PLANNING

    # --- the plan, by the mentor ---------------------------------------------------------------
    mentor.goto(case_url)
    mentor.fill("textarea[name=plan-summary]", "Munkát keres a közelben.")
    mentor.fill("input[name=plan-client_agreed_on]", TODAY)
    act(mentor, "plan")
    mentor.select_option("select[name=goal_add-area]", "employment")
    mentor.fill("textarea[name=goal_add-description]", "Elhelyezkedés hat hónapon belül")
    act(mentor, "goal_add")
    act(mentor, "plan_submit")
    shoot(mentor, screenshots, "case-page-planning")

    # The mentor waits on the home page; the approval must reach it live.
    mentor.goto(f"{server_url}/")
    badge = mentor.locator("#notification-badge")
    badge_before = int(badge.get_attribute("data-count") or 0)

    # --- approval, by the supervisor --------------------------------------------------------
    supervisor.reload()
    shoot(supervisor, screenshots, "home-supervisor")
    supervisor.goto(case_url)
    supervisor.check("input[name=plan_review-decision][value=approve]")
    act(supervisor, "plan_review")
    assert stage_of(supervisor) == Stage.TRAINING

    mentor.wait_for_function(
        "before => Number(document.querySelector('#notification-badge').dataset.count) > before",
        arg=badge_before,
        timeout=2000,
    )
    assert mentor.url == f"{server_url}/"  # no reload happened
    mentor.reload()
    shoot(mentor, screenshots, "home-mentor")

    # --- trainings, screening, placement, follow-ups, by the mentor ---------------------------
    mentor.goto(case_url)
    act(mentor, "advance")
    assert expected["attendance"] in mentor.content()
    for number in (1, 2):
        mentor.select_option("select[name=session-kind]", "training")
        mentor.fill("input[name=session-topic]", f"Álláskeresési ismeretek {number}")
        mentor.fill("input[name=session-held_on]", TODAY)
        act(mentor, "session")
    act(mentor, "advance")
    assert stage_of(mentor) == Stage.SCREENING

    act(mentor, "advance")  # too early: the guard explains, the stage stays
    assert expected["screening"] in mentor.content().replace("&#x27;", "'")
    mentor.check("input[name=screening-status][value=declined]")
    act(mentor, "screening")
    act(mentor, "advance")
    assert stage_of(mentor) == Stage.PLACEMENT

    act(mentor, "advance")  # too early: the guard explains, the stage stays
    assert expected["placement"] in mentor.content().replace("&#x27;", "'")
    mentor.fill("input[name=placement-employer]", "Ózdi Építő Kft.")
    mentor.select_option("select[name=placement-contract_type]", "fixed_term")
    mentor.fill("input[name=placement-starts_on]", TODAY)
    mentor.select_option("select[name=placement-exit_outcome]", "employed")
    act(mentor, "placement")
    act(mentor, "advance")
    assert stage_of(mentor) == Stage.FOLLOW_UP

    act(mentor, "advance")  # too early: the guard explains, the stage stays
    assert expected["follow_up"] in mentor.content().replace("&#x27;", "'")
    for _ in range(2):
        mentor.check("input[name=follow_up-status][value=reached]")
        mentor.fill("input[name=follow_up-contacted_on]", TODAY)
        mentor.check("input[name=follow_up-employed]")
        act(mentor, "follow_up")
    shoot(mentor, screenshots, "case-page-follow-up")
    act(mentor, "advance")
    assert stage_of(mentor) == Stage.CLOSED
    shoot(mentor, screenshots, "case-page-closed")

    worker.goto(f"{server_url}/cases/")
    shoot(worker, screenshots, "case-list")
