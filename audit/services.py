"""Writes of the audit app: review sign-off (the only one a user can make)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import ngettext

from casework import selectors as casework_selectors
from kernel.errors import InvalidInput, NotAllowed
from kernel.services import service

from . import selectors
from .models import ReviewSignOff
from .permissions import Right, has_right


@service
def review_sign_off(
    *, user, case_id: int, seen_up_to: int | None = None, note: str = ""
) -> ReviewSignOff:
    """A supervisor marks the case's audit trail reviewed up to the newest entry they saw.

    The case row is locked first, as every casework service does, so no write on the case is
    half-way through while the high-water mark is read: every entry at or below it is committed
    and was on the reviewer's page. Entries written later are "new since" this review."""
    case = casework_selectors.case_get(user=user, case_id=case_id, for_update=True)
    if not has_right(user, Right.SIGN_OFF):
        raise NotAllowed()
    note = (note or "").strip()
    if len(note) > 2000:
        message = ngettext("At most %(n)s character.", "At most %(n)s characters.", 2000)
        raise InvalidInput({"note": [message % {"n": 2000}]})
    newest = selectors.newest_link_id()
    up_to = newest if seen_up_to is None else min(int(seen_up_to), newest)
    sign_off = ReviewSignOff(
        case=case, reviewer=user, reviewed_at=timezone.now(), up_to_link=up_to, note=note
    )
    sign_off._history_user = user
    sign_off._change_reason = "review.sign_off"
    sign_off.save()
    return sign_off
