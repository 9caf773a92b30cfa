"""The report passes' queries (``reporting.passes``), compiled once per process and scope.

Building a pass's query in the ORM and compiling it to SQL cost more than the database took
to run it: for the indicator dashboard of a 2,000-case partner, some 70 ms of Python for its 14
pass queries against 43 ms in PostgreSQL (BENCHMARKS.md, the 21:34 run). The SQL of a pass
depends only on the indicators it serves and on the scope (the programme, the day, the
organisations), never on the records. So the statement compiled for a scope is kept and run
again as it is. The records are read afresh every time; only the
SQL and its parameters are reused, the way a prepared statement is.

The first report of a scope on a day pays for the compilation; later ones of that scope in the
same process do not, whoever asks. The cache is bounded (least recently used out first) and
lives in the process: a deploy or a restart starts it empty.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.sql import Query

# Statements kept per process, about 15 KiB each with the query kept to convert values (at
# most some 7.5 MiB). A scope's dashboard uses 14, one per pass; its exports and generated
# reports (no monthly series) share the additive ones and add the distinct ones again: some 20
# scopes and days fit.
CAPACITY = 512


@dataclass(frozen=True, eq=False)
class Statement:
    """A compiled query: its SQL (None: it can match nothing, and the database is not asked),
    its parameters, the names of its columns, the model it reads (to route it as the ORM
    would), the database vendor it was compiled for, and, for a query compiled by the ORM, what
    converts its values (a date read from SQLite, a sum to an integer) as the ORM would."""

    model: type[Model]
    vendor: str
    sql: str | None
    params: tuple
    names: tuple[str, ...] = ()
    query: Query | None = None
    expressions: tuple = ()

    @classmethod
    def of(cls, queryset: QuerySet) -> Statement:
        """The statement of a queryset of ``values()``, its rows read as ``values()`` gives
        them: dicts by the names ``values()`` gives (``ValuesIterable``)."""
        query = queryset.query
        compiler = query.get_compiler(using=queryset.db)
        vendor = compiler.connection.vendor
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return cls(queryset.model, vendor, None, ())
        if query.selected:
            names = tuple(query.selected)
        else:
            names = (*query.extra_select, *query.values_select, *query.annotation_select)
        # The selected expressions, as the ORM reads them back (``SQLCompiler.results_iter``).
        expressions = tuple(column[0] for column in compiler.select[: compiler.col_count])
        return cls(queryset.model, vendor, sql, tuple(params), names, query, expressions)

    @property
    def db(self) -> str:
        """The database the statement runs on, routed now as a read of its model (a report
        view reads a replica when there is one, a job the primary)."""
        return router.db_for_read(self.model)

    def rows(self) -> list[dict]:
        """The statement's rows, read now, as dicts by column name."""
        if self.sql is None:
            return []
        using = self.db
        with connections[using].cursor() as cursor:
            cursor.execute(self.sql, self.params)
            found = cursor.fetchall()
        if self.query is not None:
            compiler = self.query.get_compiler(using=using)
            converters = compiler.get_converters(self.expressions)
            if converters:
                found = compiler.apply_converters(found, converters)
        return [dict(zip(self.names, row, strict=True)) for row in found]


_statements: OrderedDict[Hashable, tuple[object, Statement]] = OrderedDict()
_lock = threading.Lock()


def compiled(key: Hashable, owners: object, build: Callable[[], Statement]) -> Statement:
    """The statement compiled for ``key``, built by ``build`` when there is none yet.

    ``key`` may name objects by ``id()`` (a registry's indicators, cheap to name that way and
    costly to hash); ``owners`` are those objects, kept alive with the statement so that no
    other object can take one of their ids while the statement is kept. A statement compiled
    for another database vendor than the one it would run on now is built again."""
    with _lock:
        entry = _statements.get(key)
        if entry is not None:
            _statements.move_to_end(key)
    if entry is not None and connections[entry[1].db].vendor == entry[1].vendor:
        return entry[1]
    statement = build()
    with _lock:
        _statements[key] = (owners, statement)
        _statements.move_to_end(key)
        while len(_statements) > CAPACITY:
            _statements.popitem(last=False)
    return statement


def forget() -> None:
    """Drop every kept statement (every test starts from none: ``tests/conftest.py``)."""
    with _lock:
        _statements.clear()


def size() -> int:
    """How many statements are kept."""
    return len(_statements)
