"""An indicator's total, its value per place and its month-by-month series in as few passes
over its records as its aggregate allows (P5 in BENCHMARKS.md).

Asked one by one (``Indicator.total``, ``by_place``, ``cumulative``), every figure set is a
pass over the indicator's joined records: three passes per indicator, and at 100,000
participants the joins, not the aggregates, are what costs. A count of rows or a sum adds up:
its value for the whole programme, for a place and up to a day is the sum of its values per
``(organisation, location, month)``. For those indicators one grouped query answers all three.
A count of distinct people does not add up (a person counted in two places or months is one
person), so those indicators keep the three queries of ``reporting.indicators``.

Only the public parts of an ``Indicator`` are used (its records, its measure's paths, aggregate
and conversion), so an indicator added to the registry is served here unchanged.
``tests/reporting/test_passes__one_pass.py`` checks both ways give the same figures.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from .indicators import Indicator, Scope


def additive(indicator: Indicator) -> bool:
    """True when the indicator's aggregate is a plain count of rows or a sum."""
    expression = indicator.measure.aggregate()
    return isinstance(expression, Count | Sum) and not getattr(expression, "distinct", False)


def figures(
    indicator: Indicator, scope: Scope, days: list[datetime.date] | None = None
) -> tuple[object, dict, list]:
    """``(total, {(organisation id, location): value}, [value at the end of each day])``; the
    days are month ends and the scope's own day, as ``selectors.month_ends`` gives them."""
    days = days or []
    measure = indicator.measure
    if not additive(indicator):
        if not days:
            return indicator.total(scope), indicator.by_place(scope), []
        # A distinct count: its total and its value at each day are aggregates over the same
        # rows, so one query answers both (the places need a grouping of their own).
        values = indicator.records_behind(scope).aggregate(
            total=measure.aggregate(),
            **{
                f"d{index}": measure.aggregate(filter=Q(**{f"{measure.date}__lte": day}))
                for index, day in enumerate(days)
            },
        )
        return (
            measure.convert(values["total"]),
            indicator.by_place(scope),
            [measure.convert(values[f"d{index}"]) for index in range(len(days))],
        )
    rows = (
        indicator.records_behind(scope)
        .values(
            org=F(measure.organisation),
            place=F(measure.location),
            month=TruncMonth(measure.date),
        )
        .annotate(value=measure.aggregate())
        .order_by()
    )
    raw_total: Decimal | int = 0
    raw_places: dict[tuple[int, str], Decimal | int] = {}
    raw_months: dict[datetime.date, Decimal | int] = {}
    for row in rows:
        value = row["value"] or 0
        key = (row["org"], row["place"] or "")
        raw_total += value
        raw_places[key] = raw_places.get(key, 0) + value
        if row["month"] is not None:
            month = row["month"]
            if isinstance(month, datetime.datetime):
                month = month.date()
            raw_months[month] = raw_months.get(month, 0) + value
    convert = measure.convert
    series = []
    for day in days:
        upto = day.replace(day=1)
        series.append(convert(sum(v for m, v in raw_months.items() if m <= upto)))
    return (
        convert(raw_total),
        {key: convert(value) for key, value in raw_places.items()},
        series,
    )
