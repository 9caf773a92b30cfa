"""The funder's monitoring periods of a programme, derived from its start and end dates.

A project progress report (projekt előrehaladási jelentés) covers six months counted from the
programme's start, the last period ending with the programme. Periods are not stored: they follow
from ``Programme.starts_on`` and ``ends_on``, so changing the programme's dates moves them, and a
generated report (``reporting.models.ReportRun``) keeps the dates of the period it was made for.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.utils import timezone

MONTHS_PER_PERIOD = 6


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later; the month's last day when it has no such day."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Period:
    number: int
    starts_on: datetime.date
    ends_on: datetime.date

    def state(self, today: datetime.date) -> str:
        if today < self.starts_on:
            return "future"
        if today > self.ends_on:
            return "closed"
        return "current"

    def report_date(self, today: datetime.date) -> datetime.date:
        """The day a report of this period counts records up to: its last day, or today while
        the period runs."""
        return min(self.ends_on, today)


def periods_of(programme) -> list[Period]:
    """Every monitoring period from the programme's start to its end, in order."""
    periods: list[Period] = []
    start = programme.starts_on
    while start <= programme.ends_on:
        following = _add_months(programme.starts_on, MONTHS_PER_PERIOD * (len(periods) + 1))
        end = min(following - datetime.timedelta(days=1), programme.ends_on)
        periods.append(Period(len(periods) + 1, start, end))
        start = following
    return periods


def period_of(programme, number: int) -> Period | None:
    for period in periods_of(programme):
        if period.number == number:
            return period
    return None


def current_period(programme, today: datetime.date | None = None) -> Period | None:
    today = today or timezone.localdate()
    for period in periods_of(programme):
        if period.state(today) == "current":
            return period
    return None
