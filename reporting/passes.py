"""The figures of many indicators (total, value per place, month-by-month series) in as few
passes over their records as their aggregates allow (P5 in BENCHMARKS.md).

Asked one by one (``Indicator.total``, ``by_place``, ``cumulative``), every figure set is a
pass over the indicator's joined records: three passes per indicator, and at 100,000
participants the joins, not the aggregates, are what costs. Two things save passes:

- Indicators with the same base (``Indicator.base``: the same rows and paths, the ESF+
  breakdowns of the entry records for instance) differ only in their own condition
  (``Measure.where``), so one query answers all of them: one aggregate per indicator, filtered
  by its condition (``COUNT(DISTINCT client) FILTER (WHERE gender = 'female')``). A place
  counts for an indicator only when one of its rows meets the condition, as if the indicator
  had been asked alone.
- A count of rows or a sum adds up: its value for the whole programme, for a place and up to
  a day is the sum of its values per ``(organisation, location, month)``, so one grouped
  query answers all three. A count of distinct people does not add up (a person counted in
  two places or months is one person): those take two queries, one for the totals and the
  values at each day, one grouped by place. Both count rows of a grouped query, one row per
  person (per person and place for the second) with the date of their first record and how
  many of their records count for each indicator: no ``COUNT(DISTINCT)`` per indicator, each
  of which PostgreSQL sorts apart, and no column per indicator and day (the days are running
  sums of the people counted per first date).

So a base costs one query when its indicators add up and two when they count distinct people,
however many indicators share it. Only the public parts of an ``Indicator`` are used (its base
rows, its condition, its measure's paths, aggregate and conversion): an indicator added to the
registry is served here unchanged, in passes of its own when it shares its base with no other.
``tests/reporting/test_passes__one_pass.py`` checks both ways give the same figures.
"""

from __future__ import annotations

import datetime
from bisect import bisect_right
from collections.abc import Iterable
from decimal import Decimal
from functools import reduce
from itertools import accumulate
from operator import or_

from django.db import connections
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from .indicators import Indicator, Scope

Figures = tuple[object, dict, list]
# An indicator and the days of its series (month ends, as ``selectors.month_ends`` gives them;
# none: no series).
Wanted = tuple[Indicator, list[datetime.date]]


def additive(indicator: Indicator) -> bool:
    """True when the indicator's aggregate is a plain count of rows or a sum."""
    expression = indicator.measure.aggregate()
    return isinstance(expression, Count | Sum) and not getattr(expression, "distinct", False)


def figures(indicator: Indicator, scope: Scope, days: list[datetime.date] | None = None) -> Figures:
    """``(total, {(organisation id, location): value}, [value at the end of each day])``; the
    days are month ends and the scope's own day, as ``selectors.month_ends`` gives them."""
    return figures_of([(indicator, days or [])], scope)[indicator.code]


def figures_of(wanted: Iterable[Wanted], scope: Scope) -> dict[str, Figures]:
    """``figures`` of every indicator of ``wanted`` by its code, indicators that share their
    base answered together: one query per base that adds up, two per base that counts
    distinct people."""
    passes: dict[tuple, list[Wanted]] = {}
    for indicator, days in wanted:
        if additive(indicator):
            key = ("additive", *indicator.base, indicator.measure.date)
        else:
            # Distinct counts of the same thing (people) share their rows per person.
            key = ("distinct", *indicator.base, str(counted(indicator)))
        passes.setdefault(key, []).append((indicator, days))
    found: dict[str, Figures] = {}
    for key, members in passes.items():
        found.update(
            _additive(members, scope) if key[0] == "additive" else _distinct(members, scope)
        )
    return found


def _rows_and_columns(
    members: list[Wanted], scope: Scope
) -> tuple[QuerySet, list[Q | None], dict[str, object]]:
    """The base rows of ``members`` that meet any of their conditions; each indicator's
    condition on them (None where every row counts for it); and the columns of a grouped
    query: ``v<index>``, an indicator's value, and ``p<index>``, how many of a group's rows are
    the indicator's (a group is one of its places only if there are any), where not all are."""
    conditions = [indicator.measure.where for indicator, _days in members]
    rows = members[0][0].base_rows(scope)
    if all(conditions):
        # The rows no indicator counts are read by none: left out in the WHERE clause.
        rows = rows.filter(reduce(or_, conditions))
    if len(members) == 1:
        conditions = [None]
    conditions = [condition or None for condition in conditions]
    columns: dict[str, object] = {}
    for index, ((indicator, _days), condition) in enumerate(zip(members, conditions, strict=True)):
        columns[f"v{index}"] = indicator.measure.aggregate(filter=condition)
        if condition is not None:
            columns[f"p{index}"] = Count("pk", filter=condition)
    return rows, conditions, columns


def _counts_for(row: dict, index: int, condition: Q | None) -> bool:
    """Whether a group of a grouped query is one of indicator ``index``'s places."""
    return condition is None or row[f"p{index}"] > 0


def counted(indicator: Indicator) -> object | None:
    """What the indicator counts once each when its aggregate is a count of distinct values
    (``Count("client", distinct=True)``: the client), None for any other aggregate."""
    expression = indicator.measure.aggregate()
    if isinstance(expression, Count) and expression.distinct:
        return expression.get_source_expressions()[0]
    return None


def _firsts(members: list[Wanted], rows: QuerySet, conditions: list[Q | None]) -> dict:
    """The totals and the values at each day of distinct counts of the same thing (a person),
    without a DISTINCT per figure: one row per person (``f<index>``, the date of their first
    record that counts for indicator ``index``; ``a<index>``, how many of their records count
    for it), then those rows counted per first date. A person counts up to a day when their
    first record is dated by then, and in the total when any record counts, dated or not;
    rows without a person (no client) make a row of their own that ``COUNT(person)`` leaves
    out, as ``COUNT(DISTINCT client)`` does.

    The people are counted per first date, not per day asked: a column per indicator and day
    (``COUNT(person) FILTER (WHERE f0 <= day)``, 49 of them for four years of month ends) was
    most of the dashboard's time, in the ORM building them and in the database evaluating
    them on every person. The days are added up here from at most a few hundred dates."""
    path = counted(members[0][0])
    people = rows.values(person=path)
    firsts: dict[str, object] = {}
    for index, ((indicator, _days), condition) in enumerate(zip(members, conditions, strict=True)):
        firsts[f"f{index}"] = Min(indicator.measure.date, filter=condition)
        if condition is not None:
            firsts[f"a{index}"] = Count("pk", filter=condition)
    people = people.annotate(**firsts).order_by()
    dated = [index for index, (_indicator, days) in enumerate(members) if days]
    groups = _count_people(people, dated, conditions)
    values: dict[str, object] = {f"t{index}": 0 for index in range(len(members))}
    for row in groups:
        for index in range(len(members)):
            values[f"t{index}"] += row[f"t{index}"]
    for index in dated:
        per_date: dict[datetime.date, int] = {}
        for row in groups:
            first = _as_date(row[f"f{index}"])
            if first is not None:
                per_date[first] = per_date.get(first, 0) + row["people"]
        # People counted by each first date, added up in date order: a day's value is the
        # running sum up to the last first date on or before it.
        dates = sorted(per_date)
        running = list(accumulate(per_date[first] for first in dates))
        for day_index, day in enumerate(members[index][1]):
            upto = bisect_right(dates, day)
            values[f"d{index}_{day_index}"] = running[upto - 1] if upto else 0
    return values


def _count_people(people: QuerySet, dated: list[int], conditions: list[Q | None]) -> list[dict]:
    """``people`` (a row per person, as ``_firsts`` makes them) counted per combination of the
    first dates of the ``dated`` indicators: ``people``, the people of the group, and
    ``t<index>``, how many of them count for indicator ``index`` at all."""
    columns = {f"f{index}": f"{{f{index}}}" for index in dated}
    columns["people"] = "COUNT({person})"
    columns.update(_people_counted(conditions, prefix="t"))
    return _over_grouped(people, columns, group_by=[f"f{index}" for index in dated])


def _people_per_place(
    members: list[Wanted], rows: QuerySet, conditions: list[Q | None]
) -> list[dict]:
    """The values per place of distinct counts of people, as the grouped query of
    ``_rows_and_columns`` gives them (``org``, ``place``, ``v<index>`` and ``p<index>``), from
    one row per person and place: without a ``COUNT(DISTINCT)`` per indicator, each of which
    PostgreSQL sorts apart (26 of them over the ESF+ entry records)."""
    measure = members[0][0].measure
    per_person: dict[str, object] = {"records": Count("pk")}
    for index, condition in enumerate(conditions):
        if condition is not None:
            per_person[f"a{index}"] = Count("pk", filter=condition)
    people = (
        rows.values(
            org=F(measure.organisation), place=F(measure.location), person=counted(members[0][0])
        )
        .annotate(**per_person)
        .order_by()
    )
    columns = {"org": "{org}", "place": "{place}"}
    columns.update(_people_counted(conditions, prefix="v"))
    for index, condition in enumerate(conditions):
        if condition is not None:
            columns[f"p{index}"] = f"SUM({{a{index}}})"
    return _over_grouped(people, columns, group_by=["org", "place"])


def _people_counted(conditions: list[Q | None], prefix: str) -> dict[str, str]:
    """The columns ``<prefix><index>``: how many people (rows of a grouped query with a
    ``person`` and ``a<index>``, their records that count for indicator ``index``) count for
    each indicator. Rows without a person are left out, as ``COUNT(DISTINCT person)`` does."""
    return {
        f"{prefix}{index}": (
            "COUNT({person})"
            if condition is None
            else f"COUNT(CASE WHEN {{a{index}}} > 0 THEN {{person}} END)"
        )
        for index, condition in enumerate(conditions)
    }


def _over_grouped(inner: QuerySet, columns: dict[str, str], group_by: list[str]) -> list[dict]:
    """The rows of one query over the rows of ``inner`` (a grouped query: the ORM cannot group
    by, or count, its aggregates again), as dicts of ``columns``: SQL with ``{name}`` for
    the inner query's column ``name``, grouped by the inner columns ``group_by``. Run on the
    database ``inner`` was routed to (a report may read a replica)."""
    connection = connections[inner.db]
    quote = connection.ops.quote_name
    names = {name: quote(name) for name in inner.query.annotation_select}
    names.update((name, quote(name)) for name in inner.query.values_select)
    inner_sql, params = inner.query.get_compiler(using=inner.db).as_sql()
    select = ", ".join(expression.format(**names) for expression in columns.values())
    sql = f"SELECT {select} FROM ({inner_sql}) {quote('grouped')}"
    if group_by:
        sql += " GROUP BY " + ", ".join(names[name] for name in group_by)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _as_date(value) -> datetime.date | None:
    """A first date as a cursor gives it: a date (PostgreSQL), ISO text (SQLite), or none."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def _distinct(members: list[Wanted], scope: Scope) -> dict[str, Figures]:
    """Counts of distinct values over one base: the totals and the values at each day in one
    query, the values per place in another."""
    rows, conditions, columns = _rows_and_columns(members, scope)
    if counted(members[0][0]) is not None:
        values = _firsts(members, rows, conditions)
        grouped = _people_per_place(members, rows, conditions)
    else:
        first = members[0][0].measure
        grouped = (
            rows.values(org=F(first.organisation), place=F(first.location))
            .annotate(**columns)
            .order_by()
        )
        totals: dict[str, object] = {}
        for index, ((indicator, days), condition) in enumerate(
            zip(members, conditions, strict=True)
        ):
            measure = indicator.measure
            totals[f"t{index}"] = measure.aggregate(filter=condition)
            for day_index, day in enumerate(days):
                upto = Q(**{f"{measure.date}__lte": day})
                totals[f"d{index}_{day_index}"] = measure.aggregate(
                    filter=upto if condition is None else condition & upto
                )
        values = rows.aggregate(**totals)
    places: list[dict] = [{} for _member in members]
    for row in grouped:
        key = (row["org"], row["place"] or "")
        for index, (indicator, _days) in enumerate(members):
            if _counts_for(row, index, conditions[index]):
                places[index][key] = indicator.measure.convert(row[f"v{index}"])
    found = {}
    for index, (indicator, days) in enumerate(members):
        convert = indicator.measure.convert
        found[indicator.code] = (
            convert(values[f"t{index}"]),
            places[index],
            [convert(values[f"d{index}_{day_index}"]) for day_index in range(len(days))],
        )
    return found


def _additive(members: list[Wanted], scope: Scope) -> dict[str, Figures]:
    """Counts of rows and sums over one base, grouped by place and month in one query."""
    first = members[0][0].measure
    rows, conditions, columns = _rows_and_columns(members, scope)
    grouped = (
        rows.values(
            org=F(first.organisation),
            place=F(first.location),
            month=TruncMonth(first.date),
        )
        .annotate(**columns)
        .order_by()
    )
    raw_totals: list[Decimal | int] = [0 for _member in members]
    raw_places: list[dict[tuple[int, str], Decimal | int]] = [{} for _member in members]
    raw_months: list[dict[datetime.date, Decimal | int]] = [{} for _member in members]
    for row in grouped:
        key = (row["org"], row["place"] or "")
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        for index in range(len(members)):
            if not _counts_for(row, index, conditions[index]):
                continue
            value = row[f"v{index}"] or 0
            raw_totals[index] += value
            places = raw_places[index]
            places[key] = places.get(key, 0) + value
            if month is not None:
                months = raw_months[index]
                months[month] = months.get(month, 0) + value
    found = {}
    for index, (indicator, days) in enumerate(members):
        convert = indicator.measure.convert
        series = []
        for day in days:
            upto = day.replace(day=1)
            series.append(convert(sum(v for m, v in raw_months[index].items() if m <= upto)))
        found[indicator.code] = (
            convert(raw_totals[index]),
            {key: convert(value) for key, value in raw_places[index].items()},
            series,
        )
    return found
