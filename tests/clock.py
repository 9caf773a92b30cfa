"""The test run's clock: one local day from the first test to the last.

Test modules take ``TODAY`` when they are imported, and the services take
``timezone.localdate()`` when they run. A run that crossed midnight in Budapest (23:00 UTC in
winter) saw two days, and some 250 tests failed on dates alone. So the run's clock is moved,
once, to noon of the local day on which the run began, and ticks on from there: half a day of
room for a run of half an hour, whenever it starts.

The daphne processes that tests start travel to the clock of the run that started them
(``RUN_CLOCK`` in their environment, read by ``tests/notifications/daphne_settings.py``). Setting
``RUN_CLOCK`` for a whole run replays it on a given moment (an ISO 8601 date and time with its
offset), to reproduce a failure that depends on the day.

time_machine leaves ``time.monotonic`` and ``time.perf_counter`` alone, so timeouts, Hypothesis
deadlines and benchmark timings run on the real clock. PostgreSQL's clock is not moved: no query
of ours reads it (no ``now()`` or ``CURRENT_DATE`` in our SQL), and a test that started to
would see a day that is not the run's.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import zoneinfo
from collections.abc import Mapping

import time_machine

RUN_CLOCK = "LEPES_TEST_RUN_CLOCK"
# When, on the real clock, a process was given RUN_CLOCK: it travels to RUN_CLOCK plus the time
# it took to start, so that it does not run behind the process that started it.
RUN_CLOCK_GIVEN_AT = "LEPES_TEST_RUN_CLOCK_GIVEN_AT"

_travel: time_machine.travel | None = None


def moment_for(environ: Mapping[str, str], time_zone: str, real_now: float) -> dt.datetime:
    """Where a process's clock goes: ``RUN_CLOCK`` if it is set (plus the time since it was
    given, by ``RUN_CLOCK_GIVEN_AT`` and ``real_now``), otherwise noon of today in
    ``time_zone`` (the zone the programmes' days are counted in)."""
    given = environ.get(RUN_CLOCK)
    if not given:
        zone = zoneinfo.ZoneInfo(time_zone)
        return dt.datetime.combine(dt.datetime.now(zone).date(), dt.time(12), tzinfo=zone)
    moment = dt.datetime.fromisoformat(given)
    if moment.tzinfo is None:
        raise ValueError(f"{RUN_CLOCK} needs an offset, as in 2026-12-07T12:00:00+01:00")
    given_at = environ.get(RUN_CLOCK_GIVEN_AT)
    if given_at:
        moment += dt.timedelta(seconds=max(0.0, real_now - float(given_at)))
    return moment


def start(time_zone: str) -> None:
    """Move this process's clock to the run's, once, and let it tick."""
    global _travel
    if _travel is None:
        _travel = time_machine.travel(moment_for(os.environ, time_zone, time.time()), tick=True)
        _travel.start()


def stop() -> None:
    global _travel
    if _travel is not None:
        _travel.stop()
        _travel = None


def for_a_process_started_now() -> dict[str, str]:
    """The environment that puts a process started now on this run's clock."""
    hatch = time_machine.escape_hatch
    real_now = hatch.time.time() if hatch.is_travelling() else time.time()
    return {RUN_CLOCK: dt.datetime.now(dt.UTC).isoformat(), RUN_CLOCK_GIVEN_AT: repr(real_now)}
