"""A cheaper history row: reuse the manager class simple-history builds on every access.

``HistoricalRecords.create_historical_record`` (run on every tracked save) reaches the history
manager through ``getattr(instance, "history")``, and simple-history's ``HistoryDescriptor``
answers each access with ``HistoryManager.from_queryset(HistoricalQuerySet)(model, instance)``:
a brand-new class, built with ``type()`` and a copy of every queryset method, on every save and
every ``obj.history`` / ``Model.history`` read. That class build was about a third of the cost of
a history row (STACK.md: ≈ 180 µs of ≈ 500 µs). The class depends only on the descriptor's
manager and queryset classes, so it is built once per descriptor and reused; each access still
gets its own manager instance bound to its own ``instance``.

Installed from ``CaseworkConfig.ready()``; ``manage.py bench`` (P4) measures the save with and
without it through ``installed()``/``install()``/``uninstall()``.
"""

from __future__ import annotations

from simple_history.manager import HistoryDescriptor

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


def install() -> None:
    """Make every ``HistoryDescriptor`` reuse its manager class (idempotent)."""
    HistoryDescriptor.__get__ = _get


def uninstall() -> None:
    """Back to simple-history's own behaviour (for the before/after benchmark)."""
    HistoryDescriptor.__get__ = _ORIGINAL_GET


def installed() -> bool:
    return HistoryDescriptor.__get__ is _get
