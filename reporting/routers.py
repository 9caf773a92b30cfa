"""Report pages and exports may read from a PostgreSQL read replica.

When ``DATABASE_REPLICA_URL`` is set, settings add a ``replica`` database and this router.
Reads made inside ``reading_reports()`` (the report views and exports wrap themselves in it)
go to the replica; every other read, and every write, stays on ``default``, so casework never
reads a replica's slightly older rows. Without a replica the router answers nothing and Django
uses ``default``.
"""

from __future__ import annotations

import contextvars
import functools
from contextlib import contextmanager

from django.conf import settings

REPLICA = "replica"

_reading_reports = contextvars.ContextVar("lepes_reading_reports", default=False)


@contextmanager
def reading_reports():
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


def from_replica(view):
    """A report view: its reads go to the replica when there is one."""

    @functools.wraps(view)
    def run(*args, **kwargs):
        with reading_reports():
            return view(*args, **kwargs)

    return run


class ReportReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_reports.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, **hints):
        # The replica follows the primary's schema by replication, never by migrate.
        return db != REPLICA
