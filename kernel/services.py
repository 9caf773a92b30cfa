"""What every service is built from (DESIGN.md rules 1 and 4).

``@service`` runs the function in one transaction. Work that is cheaper done once for the whole
service (the notifications it records are written in one INSERT) is handed to
``at_service_end`` and done when the outermost service ends, still inside its transaction.
``save_with_history`` is the one way a service saves a tracked row: validated, and stamped with
the acting user and a change reason for the history row.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import Model
from django.dispatch import Signal
from django.utils import timezone
from simple_history.utils import get_history_manager_for_model

from . import deferred_writes
from .compat.django_on_commit import pending_callbacks
from .errors import InvalidInput

# Per thread: ``{flush: [(item, marker), ...]}`` while a service runs, else None.
_batches = threading.local()


def service(function):
    """One transaction for the whole service; what it handed to ``at_service_end`` is flushed
    at its end (nested services flush with the outermost). When it raises, nothing is kept."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        with transaction.atomic(), _batched():
            return function(*args, **kwargs)

    return run


@contextmanager
def _batched():
    if getattr(_batches, "pending", None) is not None:
        yield
        return
    _batches.pending = {}
    _batches.active = True
    try:
        try:
            yield
            pending = _batches.pending
        finally:
            _batches.pending = None
        alive = pending_callbacks()
        for flush, entries in pending.items():
            # An item recorded in a savepoint that was rolled back since is dropped: Django
            # dropped its marker callback with the savepoint, which is how to tell.
            items = [item for item, marker in entries if id(marker) in alive]
            if items:
                flush(items)
        deferred_writes.flush_all()  # before the transaction commits
    except BaseException:
        deferred_writes.discard_all()  # the transaction rolls back with them
        raise
    finally:
        _batches.active = False


def in_service() -> bool:
    """True while a service runs, its end's writes included."""
    return getattr(_batches, "active", False)


def at_service_end(item: Any, *, flush: Callable[[list], None], marker: Callable) -> bool:
    """Inside a service, keep ``item`` for ``flush`` (called once with every item of the same
    ``flush``) at the service's end and answer True; outside one, answer False and leave it to
    the caller. ``marker`` is an on-commit callback the caller registered for the item: if the
    savepoint it was registered in rolls back, the item is dropped with it."""
    pending = getattr(_batches, "pending", None)
    if pending is None or not transaction.get_connection().in_atomic_block:
        return False
    pending.setdefault(flush, []).append((item, marker))
    return True


def save_with_history(obj: Model, *, user, reason: str, validate: bool = True) -> None:
    """Validate and save ``obj``, stamping its history row with ``user`` and ``reason``.

    ``validate=False`` is for rows a service has just built from checked values only (a full
    clean re-reads every foreign key)."""
    if validate:
        try:
            obj.full_clean(exclude=["stage"])
        except ValidationError as error:
            raise InvalidInput(field_errors(error)) from None
    obj._history_user = user
    obj._change_reason = reason
    obj.save()


# Sent when history rows were written in bulk (simple-history's bulk path sends no per-row
# signal): ``sender`` is the history model, ``rows`` the rows written (with their ids),
# ``using`` the database. The audit chain links them (``audit.chain.on_bulk_history``).
bulk_history_created = Signal()


def bulk_create_with_history(
    objs: list[Model], *, model: type[Model], user, reason: str, batch_size: int = 1000
) -> list[Model]:
    """Insert ``objs`` (already validated) and one history row each, stamped with ``user`` and
    ``reason`` and one moment, in a few INSERTs: the bulk twin of ``save_with_history`` for
    imports. Needs a database that returns the new keys (PostgreSQL, SQLite 3.35+)."""
    using = router.db_for_write(model)
    with transaction.atomic(using=using, savepoint=False):
        created = model._default_manager.using(using).bulk_create(objs, batch_size=batch_size)
        if any(obj.pk is None for obj in created):
            raise RuntimeError("bulk_create_with_history needs the database to return new keys")
        rows = get_history_manager_for_model(model).bulk_history_create(
            created,
            batch_size=batch_size,
            default_user=user,
            default_change_reason=reason,
            default_date=timezone.now(),
        )
        bulk_history_created.send(sender=type(rows[0]) if rows else None, rows=rows, using=using)
    return created


def delete_with_history(obj: Model, *, user, reason: str) -> None:
    obj._history_user = user
    obj._change_reason = reason
    obj.delete()


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """A model's ``ValidationError`` as ``{field: [messages]}`` (``__all__`` for the rest)."""
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for m in ValidationError(errors).messages]
            for field, errors in error.error_dict.items()
        }
    return {"__all__": [str(m) for m in error.messages]}
