"""In a real browser: a supervisor approves a plan in one browser context, and the mentor's open
page shows the new task in its badge within 2 seconds, without a reload; reading in another tab
clears the badge, and logging out there closes the page's socket for good.

The app is served by a daphne subprocess: the approval POST and the mentor's socket are in the
same process, so its in-memory channel layer carries the push. Data is set up before the
browser starts (Playwright's sync API runs an event loop in this thread, where the ORM refuses
to run)."""

import os
import time

import pytest
from django.conf import settings
from django.db import connections

from notifications.events import Event
from notifications.models import Notification

from ..journey import complete_intake, submit_plan
from .conftest import session_key_for
from .servers import daphnes

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium"),
    pytest.mark.django_db(transaction=True),
]


def test_the_mentors_open_page_shows_the_new_task_in_its_badge_within_two_seconds(world, case):
    from playwright.sync_api import expect, sync_playwright

    complete_intake(case, world)
    submit_plan(case, world)
    unread_before = Notification.objects.filter(
        recipient=world.mentor, read_at__isnull=True
    ).count()
    mentor_key = session_key_for(world.mentor)
    supervisor_key = session_key_for(world.supervisor)
    connections.close_all()

    with daphnes(1) as (server,), sync_playwright() as playwright:
        base = f"http://{server.host}"
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            mentor = browser.new_context()
            mentor.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": mentor_key, "url": base}]
            )
            supervisor = browser.new_context()
            supervisor.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": supervisor_key, "url": base}]
            )

            page = mentor.new_page()
            page.goto(f"{base}/")
            bell = page.locator("#notification-bell")
            badge = page.locator("#notification-badge")
            expect(bell).to_have_attribute("data-state", "open", timeout=15_000)
            expect(badge).to_have_attribute("data-count", str(unread_before))
            page.evaluate("window.__notReloaded = true")

            review = supervisor.new_page()
            review.goto(f"{base}{case.get_absolute_url()}")
            form = review.locator("form[action$='/do/plan_review/']")
            form.locator("input[name='plan_review-decision'][value='approve']").check()
            with review.expect_navigation():
                form.locator("button[type='submit']").click()
            approved_at = time.monotonic()

            expect(badge).not_to_have_attribute("data-count", str(unread_before), timeout=2_000)
            seen_within = time.monotonic() - approved_at
            # All three of the approval's notifications for the mentor arrive, each once.
            expect(badge).to_have_attribute("data-count", str(unread_before + 3), timeout=2_000)
            expect(page.locator("#notification-live")).not_to_be_empty()
            expect(page.locator(".toast")).to_be_visible()
            assert page.evaluate("window.__notReloaded") is True
            expect(bell).to_have_accessible_name(f"Notifications {unread_before + 3} unread")

            # Another tab of the mentor reads everything in the inbox: this page's badge follows.
            inbox = mentor.new_page()
            inbox.goto(f"{base}/notifications/")
            expect(inbox.locator("#notification-list li")).to_have_count(unread_before + 3)
            with inbox.expect_navigation():
                inbox.locator("form[action$='/read-all/'] button").click()
            expect(badge).to_have_attribute("data-count", "0", timeout=2_000)
            # Logging out there closes this page's socket, and it does not come back.
            with inbox.expect_navigation():
                inbox.locator("form.logout button").click()
            expect(bell).to_have_attribute("data-state", "closed", timeout=5_000)
            page.wait_for_timeout(1_500)
            expect(bell).to_have_attribute("data-state", "closed")
        finally:
            browser.close()

    assert seen_within < 2
    rows = Notification.objects.filter(recipient=world.mentor)
    events = set(rows.values_list("event", flat=True))
    assert {Event.TASK_ASSIGNED, Event.PLAN_APPROVED, Event.CASE_STAGE_CHANGED} <= events
    assert not rows.filter(read_at__isnull=True).exists()
