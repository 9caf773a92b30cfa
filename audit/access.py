"""The read log: who opened or exported whose record, and when.

Views call ``record_access`` once per page or export, after the scope check has passed (a 404
is not an access). One INSERT, no reads, so a page's query count grows by exactly one.
"""

from __future__ import annotations

from django.utils import timezone

from .models import AccessAction, AccessLog


def record_access(*, user, client, action: str = AccessAction.VIEW, case=None, what: str = ""):
    """Log that ``user`` viewed or exported ``client``'s record (optionally through ``case``).

    ``client`` and ``case`` may be instances or primary keys; ``what`` names the page or file
    ("case_page", "audit_timeline", "audit_export_csv"). Anonymous users are not logged: they
    cannot reach a record."""
    if action not in AccessAction.values:
        raise ValueError(f"unknown access action {action!r}")
    if not getattr(user, "is_authenticated", False):
        return None
    return AccessLog.objects.create(
        at=timezone.now(),
        user_id=user.pk,
        client_id=getattr(client, "pk", client),
        case_id=getattr(case, "pk", case),
        action=action,
        what=what[:60],
    )
