"""The test run lives on one local day (tests/clock.py), and so do the servers it starts."""

import datetime as dt
import os
import subprocess
import sys

from django.conf import settings
from django.utils import timezone

from . import clock
from .conftest import TODAY
from .notifications.servers import ROOT

SHOW_THE_SERVERS_CLOCK = (
    "import django; django.setup(); "
    "from django.utils import timezone; print(timezone.now().isoformat())"
)


def test_the_run_starts_at_noon_of_its_local_day_so_that_midnight_is_hours_away():
    now = timezone.localtime()
    assert now.date() == TODAY
    if clock.RUN_CLOCK not in os.environ:
        assert now.time() >= dt.time(12)
        assert str(now.tzinfo) == settings.TIME_ZONE


def test_a_daphne_process_started_by_a_test_runs_on_the_tests_clock():
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.daphne_settings",
        **clock.for_a_process_started_now(),
    }
    shown = subprocess.run(
        [sys.executable, "-c", SHOW_THE_SERVERS_CLOCK],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    servers_now = dt.datetime.fromisoformat(shown.strip())

    assert timezone.localtime(servers_now).date() == TODAY
    assert abs(servers_now - timezone.now()) < dt.timedelta(minutes=1)
