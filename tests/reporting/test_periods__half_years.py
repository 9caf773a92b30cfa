"""The funder's monitoring periods: six months from the programme's start, the last one cut at
the programme's end."""

import datetime

from casework.models import Programme
from reporting.periods import current_period, period_of, periods_of

D = datetime.date


def _programme(starts_on, ends_on):
    return Programme(starts_on=starts_on, ends_on=ends_on)


def test_periods_are_half_years_from_the_start_the_last_cut_at_the_end():
    periods = periods_of(_programme(D(2025, 1, 1), D(2026, 9, 30)))
    assert [(p.number, p.starts_on, p.ends_on) for p in periods] == [
        (1, D(2025, 1, 1), D(2025, 6, 30)),
        (2, D(2025, 7, 1), D(2025, 12, 31)),
        (3, D(2026, 1, 1), D(2026, 6, 30)),
        (4, D(2026, 7, 1), D(2026, 9, 30)),
    ]


def test_a_start_late_in_a_month_does_not_drift_through_short_months():
    periods = periods_of(_programme(D(2025, 8, 31), D(2027, 3, 1)))
    assert [p.starts_on for p in periods] == [
        D(2025, 8, 31),
        D(2026, 2, 28),
        D(2026, 8, 31),
        D(2027, 2, 28),
    ]
    assert periods[0].ends_on == D(2026, 2, 27)
    assert (periods[-1].starts_on, periods[-1].ends_on) == (D(2027, 2, 28), D(2027, 3, 1))


def test_a_period_reports_up_to_its_end_or_today_while_it_runs():
    programme = _programme(D(2025, 1, 1), D(2026, 12, 31))
    first, second, *_ = periods_of(programme)
    today = D(2025, 9, 15)
    assert first.state(today) == "closed" and first.report_date(today) == D(2025, 6, 30)
    assert second.state(today) == "current" and second.report_date(today) == today
    assert current_period(programme, today) == second
    assert period_of(programme, 4).state(today) == "future"
    assert period_of(programme, 5) is None
