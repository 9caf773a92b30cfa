"""The figures of many indicators (total, value per place, month-by-month series) in as few
passes over their records as their aggregates allow (P5 in BENCHMARKS.md).

Asked one by one (``Indicator.total``, ``by_place``, ``cumulative``), every figure set is a
pass over the indicator's joined records: three passes per indicator, and at 100,000
participants the joins, not the aggregates, are what costs. Two things save passes:

- Indicators with the same base (``Indicator.base``: the same rows and paths, the ESF+
  breakdowns of the entry records for instance) differ only in their own condition
  (``Measure.where``), so one query answers all of them: one aggregate per indicator, filtered
  by its condition (``SUM(minutes) FILTER (WHERE kind = 'training')``). A place
  counts for an indicator only when one of its rows meets the condition, as if the indicator
  had been asked alone.
- A count of rows or a sum adds up: its value for the whole programme, for a place and up to
  a day is the sum of its values per ``(organisation, location, month)``, so one grouped
  query answers all three. A count of distinct people does not add up (a person counted in
  two places or months is one person). Its records are grouped once per (place, person),
  with the date of the person's first record and how many of their records count for each
  indicator, and that grouping is read twice in the same query: counted per place, and per
  person then per first date for the totals and the month ends. No ``COUNT(DISTINCT)`` per
  indicator (PostgreSQL sorts each apart) and no column per indicator and day (the days are
  running sums of the people counted per first date).

Where the database keeps an additive figure (``Measure.kept``: the attended minutes per month
and per day, ``reporting.kept``), the figures are read from those few rows instead of the
records: the months that are over per month, the days of the scope's own month per day, in
one query (``UNION ALL``). The figures are the same; the hours of a whole programme no longer
read its 590,000 attendance lines.

So a base costs one query, whether its indicators add up or count distinct people and
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

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from . import statements
from .indicators import Indicator, Scope
from .kept import kept_on
from .statements import Statement

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
    base answered together: one query per base (two for an aggregate that neither adds up nor
    counts distinct values, a maximum or an average, which no indicator of the registry has).
    A pass's SQL is compiled once per process and scope (``reporting.statements``)."""
    passes: dict[tuple, list[Wanted]] = {}
    for indicator, days in wanted:
        if additive(indicator):
            kept = indicator.measure.kept
            key = ("additive", *indicator.base, indicator.measure.date, kept and kept.months)
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


def _counts_for(row: dict, index: int) -> bool:
    """Whether a group of a grouped query is one of indicator ``index``'s places: it is when
    some of its rows are the indicator's (``p<index>``), or when all rows are (no column)."""
    records = f"p{index}"
    return records not in row or row[records] > 0


def _compiled_once(
    members: list[Wanted], scope: Scope, build, *, series: tuple[bool, ...] = ()
) -> Statement:
    """The statement of the pass of ``members`` in ``scope``, compiled by ``build`` the first
    time (``reporting.statements``). Its SQL depends on the indicators (named by ``id``: the
    registry's, or a test's own), on the scope and, for a distinct count, on which indicators
    have a series (``series``)."""
    indicators = tuple(indicator for indicator, _days in members)
    key = (
        tuple(map(id, indicators)),
        series,
        scope.programme.pk,
        scope.as_of,
        scope.organisation_ids,
    )
    return statements.compiled(key, indicators, build)


def counted(indicator: Indicator) -> object | None:
    """What the indicator counts once each when its aggregate is a count of distinct values
    (``Count("client", distinct=True)``: the client), None for any other aggregate."""
    expression = indicator.measure.aggregate()
    if isinstance(expression, Count) and expression.distinct:
        return expression.get_source_expressions()[0]
    return None


def _people_statement(members: list[Wanted], scope: Scope) -> Statement:
    """The query of ``_people``: the records grouped once per (place, person), read twice."""
    rows, conditions, _columns = _rows_and_columns(members, scope)
    measure = members[0][0].measure
    per_place: dict[str, object] = {}
    for index, ((indicator, _days), condition) in enumerate(zip(members, conditions, strict=True)):
        per_place[f"f{index}"] = Min(indicator.measure.date, filter=condition)
        if condition is not None:
            per_place[f"a{index}"] = Count("pk", filter=condition)
    grouped = (
        rows.values(
            org=F(measure.organisation), place=F(measure.location), person=counted(members[0][0])
        )
        .annotate(**per_place)
        .order_by()
    )
    dated = [index for index, (_indicator, days) in enumerate(members) if days]
    return _read_twice(grouped, dated, conditions)


def _people(members: list[Wanted], found: list[dict]) -> tuple[dict, list[dict]]:
    """Distinct counts of the same thing (a person) over one base, from the rows of one query
    (``found``, of ``_people_statement``) and without a ``COUNT(DISTINCT)`` per figure: the
    totals and the values at each day (``t<index>``, ``d<index>_<day index>``) and the rows
    per place (``org``, ``place``, ``v<index>``, ``p<index>``, as the grouped query of
    ``_rows_and_columns`` gives them).

    In the query, the records are grouped once per (place, person), with ``f<index>``, the
    date of the person's first record there that counts for indicator ``index``, and
    ``a<index>``, how many of their records there count for it. That grouping is read twice:

    - per place, counting the people with a record that counts (``p<index>``, the records,
      says whether the place is one of the indicator's at all);
    - per person (their first date anywhere, their records anywhere), then counted per first
      date. A person counts up to a day when their first record is dated by then, and in the
      total when any record counts, dated or not.

    Rows without a person (no client) make groups of their own that ``COUNT(person)`` leaves
    out, as ``COUNT(DISTINCT client)`` does. Counting per first date rather than per day asked
    keeps the query small: a column per indicator and day (49 for four years of month ends)
    was most of the dashboard's time, in the ORM and in the database alike; the days are
    running sums of at most a few hundred dates here."""
    dated = [index for index, (_indicator, days) in enumerate(members) if days]
    values: dict[str, object] = {f"t{index}": 0 for index in range(len(members))}
    places = [row for row in found if row["per"] == "place"]
    people = [row for row in found if row["per"] == "person"]
    for row in people:
        for index in range(len(members)):
            values[f"t{index}"] += row[f"v{index}"]
    for index in dated:
        per_date: dict[datetime.date, int] = {}
        for row in people:
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
    return values, places


def _read_twice(grouped: QuerySet, dated: list[int], conditions: list[Q | None]) -> Statement:
    """The two readings of ``_people``'s grouping, as one query (the ORM cannot group its
    aggregates again, so this one is written here around the SQL it compiles for
    ``grouped``): a ``WITH`` the database computes once, read per place and per person, the
    two ``UNION ALL``-ed with ``per`` saying which is which. Routed as ``grouped`` is, when it
    runs (a report may read a replica)."""
    connection = connections[grouped.db]
    quote = connection.ops.quote_name
    try:
        inner, params = grouped.query.get_compiler(using=grouped.db).as_sql()
    except EmptyResultSet:
        # Rows that can match nothing (no organisation in scope, ``.none()``): the ORM answers
        # those without asking the database, and so does this.
        return Statement(grouped.model, connection.vendor, None, ())
    org, place, person, with_name = (quote(name) for name in ("org", "place", "person", "g"))

    def column(prefix: str, index: int) -> str:
        return quote(f"{prefix}{index}")

    def people_counted() -> list[str]:
        # People with a record that counts for each indicator (every person for one without
        # a condition of its own).
        return [
            f"COUNT({person})"
            if condition is None
            else f"COUNT(CASE WHEN {column('a', index)} > 0 THEN {person} END)"
            for index, condition in enumerate(conditions)
        ]

    conditioned = [index for index, condition in enumerate(conditions) if condition is not None]
    per_place = [
        "'place'",
        org,
        place,
        *("NULL" for _index in dated),
        "NULL",
        *people_counted(),
        *(f"SUM({column('a', index)})" for index in conditioned),
    ]
    per_person = [
        "'person'",
        "NULL",
        "NULL",
        *(column("f", index) for index in dated),
        f"COUNT({person})",
        *people_counted(),
        *("NULL" for _index in conditioned),
    ]
    # One row per person: their first date anywhere and their records anywhere.
    firsts = ", ".join(
        [
            person,
            *(f"MIN({column('f', index)}) AS {column('f', index)}" for index in dated),
            *(f"SUM({column('a', index)}) AS {column('a', index)}" for index in conditioned),
        ]
    )
    sql = (
        f"WITH {with_name} AS ({inner}) "
        f"SELECT {', '.join(per_place)} FROM {with_name} GROUP BY {org}, {place} "
        f"UNION ALL SELECT {', '.join(per_person)} FROM "
        f"(SELECT {firsts} FROM {with_name} GROUP BY {person}) {quote('firsts')}"
    )
    if dated:
        sql += " GROUP BY " + ", ".join(column("f", index) for index in dated)
    names = ["per", "org", "place", *(f"f{index}" for index in dated), "people"]
    names += [f"v{index}" for index in range(len(conditions))]
    names += [f"p{index}" for index in conditioned]
    return Statement(grouped.model, connection.vendor, sql, tuple(params), tuple(names))


def _as_date(value) -> datetime.date | None:
    """A first date as a cursor gives it: a date (PostgreSQL), ISO text (SQLite), or none."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def _distinct(members: list[Wanted], scope: Scope) -> dict[str, Figures]:
    """Counts of distinct values over one base. Of people (``counted``): in one query
    (``_people``). Of anything else: the totals and the values at each day in one query, the
    values per place in another."""
    if counted(members[0][0]) is not None:
        series = tuple(bool(days) for _indicator, days in members)
        statement = _compiled_once(
            members, scope, lambda: _people_statement(members, scope), series=series
        )
        values, grouped = _people(members, statement.rows())
    else:
        # Compiled every time: no indicator of the registry has an aggregate that neither
        # adds up nor counts distinct values.
        rows, conditions, columns = _rows_and_columns(members, scope)
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
            if _counts_for(row, index):
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


def _whole_months_until(day: datetime.date) -> datetime.date:
    """The first day of the last month that ended by ``day`` (``day``'s own month when it is
    its last day)."""
    if (day + datetime.timedelta(days=1)).month != day.month:
        return day.replace(day=1)
    previous = day.replace(day=1) - datetime.timedelta(days=1)
    return previous.replace(day=1)


def _kept(members: list[Wanted], scope: Scope, columns: dict[str, object]) -> QuerySet:
    """The grouped rows of ``_additive`` from the figures the database keeps (``Measure.kept``)
    instead of the records: the months that are over from the rows per month, the days of the
    scope's own month, when it is not over, from the rows per day. One query (a ``UNION
    ALL``), a few hundred rows whatever the number of records. Its place and month are named
    ``kept_place`` and ``kept_month``."""
    kept = members[0][0].measure.kept
    wheres = [indicator.measure.kept.where for indicator, _days in members]
    kept_columns: dict[str, object] = {}
    for index, where in enumerate(wheres):
        # As in ``_rows_and_columns``: a lone indicator's rows are already its own.
        condition = where or None if len(members) > 1 else None
        kept_columns[f"v{index}"] = members[index][0].measure.kept.aggregate(filter=condition)
        if f"p{index}" in columns:
            # A sum over no rows is NULL where the count of ``_rows_and_columns`` is 0.
            kept_columns[f"p{index}"] = Coalesce(Sum(kept.records, filter=condition), 0)

    def grouped(rows: QuerySet, month) -> QuerySet:
        if all(wheres):
            rows = rows.filter(reduce(or_, wheres))
        if scope.organisation_ids is not None:
            rows = rows.filter(organisation__in=scope.organisation_ids)
        # Named apart from the kept models' own fields (``values`` refuses to shadow them).
        return (
            rows.values(org=F("organisation"), kept_place=F("place"), kept_month=month)
            .annotate(**kept_columns)
            .order_by()
        )

    last_month = _whole_months_until(scope.as_of)
    found = grouped(kept.months(scope).filter(month__lte=last_month), F("month"))
    if last_month != scope.as_of.replace(day=1):
        days = kept.days(scope).filter(day__gte=scope.as_of.replace(day=1), day__lte=scope.as_of)
        found = found.union(grouped(days, TruncMonth("day")), all=True)
    return found


def _additive_statement(members: list[Wanted], scope: Scope) -> Statement:
    """The query of ``_additive``: the rows grouped by place and month."""
    first = members[0][0].measure
    rows, _conditions, columns = _rows_and_columns(members, scope)
    if first.kept is not None and kept_on(rows.db):
        return Statement.of(_kept(members, scope, columns))
    return Statement.of(
        rows.values(
            org=F(first.organisation),
            place=F(first.location),
            month=TruncMonth(first.date),
        )
        .annotate(**columns)
        .order_by()
    )


def _additive(members: list[Wanted], scope: Scope) -> dict[str, Figures]:
    """Counts of rows and sums over one base, grouped by place and month in one query (over the
    figures the database keeps, where the measure has them, instead of the records)."""
    # Its SQL is the same with a series or without (the months are added up here).
    statement = _compiled_once(members, scope, lambda: _additive_statement(members, scope))
    raw_totals: list[Decimal | int] = [0 for _member in members]
    raw_places: list[dict[tuple[int, str], Decimal | int]] = [{} for _member in members]
    raw_months: list[dict[datetime.date, Decimal | int]] = [{} for _member in members]
    for row in statement.rows():
        # The kept figures name their place and month apart (``_kept``).
        place = row["place"] if "place" in row else row["kept_place"]
        month = row["month"] if "month" in row else row["kept_month"]
        key = (row["org"], place or "")
        if isinstance(month, datetime.datetime):
            month = month.date()
        for index in range(len(members)):
            if not _counts_for(row, index):
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
