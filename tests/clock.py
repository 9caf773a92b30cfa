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
import zoneinfo

import time_machine

RUN_CLOCK = "LEPES_TEST_RUN_CLOCK"

_travel: time_machine.travel | None = None


def start(time_zone: str) -> dt.datetime:
    """Move this process's clock to the run's, once, and let it tick; the moment it went to.

    The run's moment is ``RUN_CLOCK`` if it is set, otherwise noon of today in ``time_zone``
    (the zone the programmes' days are counted in)."""
    global _travel
    given = os.environ.get(RUN_CLOCK)
    if given:
        moment = dt.datetime.fromisoformat(given)
        if moment.tzinfo is None:
            raise ValueError(f"{RUN_CLOCK} needs an offset, as in 2026-12-07T12:00:00+01:00")
    else:
        zone = zoneinfo.ZoneInfo(time_zone)
        moment = dt.datetime.combine(dt.datetime.now(zone).date(), dt.time(12), tzinfo=zone)
    if _travel is None:
        _travel = time_machine.travel(moment, tick=True)
        _travel.start()
    return moment


def stop() -> None:
    global _travel
    if _travel is not None:
        _travel.stop()
        _travel = None


def for_a_process_started_now() -> dict[str, str]:
    """The environment that puts a process started now on this run's clock."""
    return {RUN_CLOCK: dt.datetime.now(dt.UTC).isoformat()}
