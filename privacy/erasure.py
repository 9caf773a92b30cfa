"""The door to erasing a client (GDPR Art. 17), as ``privacy`` sees it.

Erasing pseudonymises every row that refers to the client, live and in the history, keeping
the audit chains verifiable. The rows are found from the model graph (``subject_access``) and
the fields from the record of processing (``registry``: the ``committed`` fields are the ones
erased with the client), so a model added later is covered without being named here. The work
on the history belongs to ``audit``, which sits above ``privacy``: it plugs its eraser in when
the app registry is ready (``AuditConfig.ready``), as ``workflows`` does for casework's flow.
"""

from __future__ import annotations

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


class Eraser(Protocol):
    def __call__(self, *, user, client_id: int, what: str) -> int: ...


_plugged: Eraser | None = None


def plug(eraser: Eraser) -> None:
    """Called once by the app that implements the erasure."""
    global _plugged
    _plugged = eraser


def erase_client(*, user, client_id: int, what: str) -> int:
    """Erase the client's personal data everywhere; returns the number of rows touched."""
    if _plugged is None:
        raise ImproperlyConfigured("No eraser is plugged in: is the audit app installed?")
    return _plugged(user=user, client_id=client_id, what=what)
