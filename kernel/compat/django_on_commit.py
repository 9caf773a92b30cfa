"""Which ``on_commit`` callbacks Django still holds for the current transaction.

Django keeps them in ``connection.run_on_commit`` as ``(savepoint ids, callback, robust)``
triples and drops the ones registered inside a savepoint when that savepoint rolls back. That
list is private API (Django 5.2): reading it is the only way to know whether work recorded
inside a since rolled-back savepoint must be dropped too, which ``kernel.services`` needs for
what a service batches to its end.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

WRITTEN_AGAINST = "5.2"


def pending_callbacks(using: str | None = None) -> set[int]:
    """The ids of the callbacks still waiting for the current transaction's commit."""
    connection = transaction.get_connection(using)
    return {id(callback) for _savepoints, callback, _robust in connection.run_on_commit}


def is_pending(callback: Callable[[], object], using: str | None = None) -> bool:
    return id(callback) in pending_callbacks(using)
