"""The dashboard's chart, drawn on the server as SVG (no script, no CDN): an indicator's
cumulative value month by month, against the straight line from the baseline at the programme's
start to the target at its deadline."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 320, 120, 6


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    actual: str  # SVG polyline points
    planned: str  # empty without a target
    top: float  # the value the chart's height stands for


def cumulative_chart(report, *, start: datetime.date) -> Chart | None:
    series = report.series
    if not series:
        return None
    target = report.total.target
    end = target.deadline if target else series[-1][0]
    span = max((end - start).days, 1)
    top = float(max([value for _day, value in series] + [target.value if target else 0]) or 1)

    def point(day: datetime.date, value) -> str:
        x = PAD + (WIDTH - 2 * PAD) * min((day - start).days, span) / span
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * float(value) / top
        return f"{x:.1f},{y:.1f}"

    actual = " ".join(point(day, value) for day, value in [(start, 0), *series])
    planned = (
        f"{point(start, target.baseline)} {point(target.deadline, target.value)}" if target else ""
    )
    return Chart(WIDTH, HEIGHT, actual, planned, top)
