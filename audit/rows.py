"""History rows of several kinds of record in one query.

A timeline page shows up to a dozen kinds of record, each in a history table of its own with
columns of its own. Reading them one table at a time was one round trip per kind, most of the
page's queries. Here every table's rows come back in one ``UNION ALL``, each row as one JSON
object (the only shape the tables share), and are turned back into the values the ORM's
``.values()`` gives: dicts of attnames, dates as dates, aware datetimes, decoded JSON.
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from collections.abc import Mapping

from django.db import connection, models
from django.utils.dateparse import parse_date, parse_datetime, parse_time


def history_rows(wanted: Mapping[type[models.Model], set[int]]) -> dict[tuple, dict]:
    """{(history model, history_id): row} for ``wanted`` ({history model: history ids}), in one
    query however many tables."""
    wanted = {model: ids for model, ids in wanted.items() if ids}
    if not wanted:
        return {}
    parts, params, models_by_label = [], [], {}
    for model, ids in wanted.items():
        meta = model._meta
        models_by_label[meta.label_lower] = model
        pk = connection.ops.quote_name(meta.pk.column)
        table = connection.ops.quote_name(meta.db_table)
        parts.append(
            f"SELECT %s AS model, {_row_as_json(model)} AS row FROM {table} AS t "
            f"WHERE t.{pk} IN ({', '.join(['%s'] * len(ids))})"
        )
        params.extend([meta.label_lower, *sorted(ids)])
    rows = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for label, text in cursor.fetchall():
            model = models_by_label[label]
            data = json.loads(text, parse_float=decimal.Decimal)
            row = {f.attname: _value(f, data.get(f.column)) for f in model._meta.concrete_fields}
            rows[(model, row[model._meta.pk.attname])] = row
    return rows


def _row_as_json(model) -> str:
    if connection.vendor == "postgresql":
        return "to_jsonb(t)::text"
    # SQLite names every column; a JSON column is stored as text and embedded as JSON.
    pairs = []
    for f in model._meta.concrete_fields:
        column = f"t.{connection.ops.quote_name(f.column)}"
        if isinstance(f, models.JSONField):
            column = f"json({column})"
        pairs.append(f"'{f.column}', {column}")
    return f"json_object({', '.join(pairs)})"


def _value(f: models.Field, value):
    """A JSON value as the ORM reads the column."""
    if value is None:
        return None
    if isinstance(f, models.DateTimeField):
        moment = parse_datetime(value)
        if moment is not None and moment.tzinfo is None:  # SQLite keeps UTC without an offset
            moment = moment.replace(tzinfo=datetime.UTC)
        return moment
    if isinstance(f, models.DateField):
        return parse_date(value)
    if isinstance(f, models.TimeField):
        return parse_time(value)
    if isinstance(f, models.BooleanField):
        return bool(value)
    if isinstance(f, models.DecimalField):
        return decimal.Decimal(str(value))
    if isinstance(f, models.FloatField):
        return float(value)
    if isinstance(f, models.UUIDField):
        return uuid.UUID(value)
    return value
