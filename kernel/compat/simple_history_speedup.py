"""A cheaper history row: two avoidable per-save costs of simple-history removed.

1. **The manager class.** ``HistoricalRecords.create_historical_record`` (run on every tracked
   save) reaches the history manager through ``getattr(instance, "history")``, and
   simple-history's ``HistoryDescriptor`` answers each access with
   ``HistoryManager.from_queryset(HistoricalQuerySet)(model, instance)``: a brand-new class,
   built with ``type()`` and a copy of every queryset method, on every save and every
   ``obj.history`` / ``Model.history`` read. That class build was about a third of the cost of a
   history row (STACK.md: ≈ 180 µs of ≈ 500 µs). The class depends only on the descriptor's
   manager and queryset classes, so it is built once per descriptor and reused; each access
   still gets its own manager instance bound to its own ``instance``.

2. **The INSERT.** The history row is then saved with ``Model.save()``: ``save_base``, Django's
   ``pre_save``/``post_save`` signals for the historical model (nothing here listens to them)
   and an ``INSERT`` compiled from scratch every time, the same statement with new values. A
   new history row is instead written with an ``INSERT … RETURNING`` built once per historical
   model and database, its values prepared exactly as Django's insert prepares them
   (``pre_save`` then ``get_db_prep_save`` per field). simple-history's own signals
   (``pre_create_historical_record``, ``post_create_historical_record``, which the audit chain
   uses) are unchanged: only the final save is replaced. Anything unusual (a value that is an
   expression, a row that already has a key, extra save arguments, a database that cannot
   return the new key) takes ``Model.save()`` as before.

Installed from ``CaseworkConfig.ready()``; ``manage.py bench`` (P4) measures the save with and
without it through ``installed()``/``install()``/``uninstall()``.
"""

from __future__ import annotations

from django.db import connections, models, router, transaction
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalChanges

# The simple-history release whose ``HistoryDescriptor.__get__`` and historical save this module
# replaces (pinned by tests/kernel/test_compat__pinned_versions.py).
WRITTEN_AGAINST = "3.13"

_ORIGINAL_GET = HistoryDescriptor.__get__
_CACHE_ATTRIBUTE = "_lepes_manager_class"


def _get(self, instance, owner):
    # Keyed by the two classes, so a descriptor whose classes are swapped (tests, subclasses)
    # never gets a stale manager class.
    cached = self.__dict__.get(_CACHE_ATTRIBUTE)
    if (
        cached is None
        or cached[0] is not self.manager_class
        or cached[1] is not self.queryset_class
    ):
        manager_class = self.manager_class.from_queryset(self.queryset_class)
        cached = (self.manager_class, self.queryset_class, manager_class)
        self.__dict__[_CACHE_ATTRIBUTE] = cached
    return cached[2](self.model, instance)


# (model, database alias) -> (fields written, INSERT statement)
_INSERTS: dict[tuple[type, str], tuple[list, str]] = {}


def insert_statement(model, connection) -> tuple[list, str]:
    """The fields and the ``INSERT … RETURNING`` of a new ``model`` row, built once."""
    key = (model, connection.alias)
    plan = _INSERTS.get(key)
    if plan is None:
        quote = connection.ops.quote_name
        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(
            quote(model._meta.db_table),
            ", ".join(quote(field.column) for field in fields),
            ", ".join(["%s"] * len(fields)),
            quote(model._meta.pk.column),
        )
        plan = _INSERTS[key] = (fields, sql)
    return plan


def insert_values(obj, fields, connection) -> list | None:
    """``obj``'s values for ``fields``, prepared as Django's INSERT prepares them; ``None`` when
    one is an expression (only Django's own compiler can write that)."""
    values = []
    for field in fields:
        value = field.pre_save(obj, True)
        if hasattr(value, "resolve_expression"):
            return None
        values.append(field.get_db_prep_save(value, connection))
    return values


def _save_history_row(self, *args, **kwargs):
    """``save()`` of the historical models: a new row through the prepared INSERT."""
    using = kwargs.pop("using", None)
    if args or kwargs or self.pk is not None or not self._state.adding:
        return models.Model.save(self, *args, using=using, **kwargs)
    model = type(self)
    using = using or router.db_for_write(model, instance=self)
    connection = connections[using]
    if not connection.features.can_return_columns_from_insert:
        return models.Model.save(self, using=using)
    fields, sql = insert_statement(model, connection)
    values = insert_values(self, fields, connection)
    if values is None:
        return models.Model.save(self, using=using)
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(sql, values)
        self.pk = cursor.fetchone()[0]
    self._state.adding = False
    self._state.db = using


def install() -> None:
    """Make every ``HistoryDescriptor`` reuse its manager class and every new history row use
    the prepared INSERT (idempotent)."""
    HistoryDescriptor.__get__ = _get
    HistoricalChanges.save = _save_history_row


def uninstall() -> None:
    """Back to simple-history's own behaviour (for the before/after benchmark)."""
    HistoryDescriptor.__get__ = _ORIGINAL_GET
    if "save" in vars(HistoricalChanges):
        del HistoricalChanges.save


def installed() -> bool:
    return HistoryDescriptor.__get__ is _get and "save" in vars(HistoricalChanges)
