"""Real-browser fixtures: a daphne server in a subprocess and headless Debian Chromium.

The server is a separate process (as in production), sharing the test database
(``tests/notifications/servers.py``), so the same fixture works on SQLite and PostgreSQL.
Playwright's sync API runs an event loop in the test thread, so tests prepare their data with
the ORM before they open a browser.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from ..notifications.servers import daphnes

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@pytest.fixture
def server_url(transactional_db):
    """One daphne process on a free loopback port against the test database (the same launcher
    as the cross-process notification tests)."""
    with daphnes(1) as (server,):
        yield f"http://{server.host}"


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    # The sync API leaves an event loop behind in this thread; the ORM must not see it.
    connection.close()


@pytest.fixture
def screenshots() -> Path:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
