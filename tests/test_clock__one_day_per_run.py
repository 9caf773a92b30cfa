"""The test run lives on one local day (tests/clock.py), and so do the servers it starts."""

import datetime as dt
import os
import subprocess
import sys

import pytest
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
    started = timezone.now()
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
    assert started <= servers_now <= timezone.now()


def test_a_process_given_the_clock_goes_on_from_it_by_the_time_it_took_to_start():
    given = {clock.RUN_CLOCK: "2026-12-07T12:00:00+01:00", clock.RUN_CLOCK_GIVEN_AT: "100.0"}
    moment = clock.moment_for(given, "Europe/Budapest", real_now=102.5)
    assert moment.isoformat() == "2026-12-07T12:00:02.500000+01:00"
    # Replaying a run on a moment of one's choice: no start-up time to add.
    replay = clock.moment_for({clock.RUN_CLOCK: "2026-12-07T23:59:00+01:00"}, "UTC", 1.0)
    assert replay.isoformat() == "2026-12-07T23:59:00+01:00"


def test_a_moment_without_its_offset_is_refused():
    with pytest.raises(ValueError, match="offset"):
        clock.moment_for({clock.RUN_CLOCK: "2026-12-07T12:00:00"}, "Europe/Budapest", 0.0)
