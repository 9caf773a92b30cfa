"""Reads of notifications, always of one user's own rows."""

from __future__ import annotations

import datetime

from django.db.models import Max, QuerySet

from .models import Notification

# How many notifications a reconnecting socket is sent at most; the rest are in the inbox.
CATCH_UP_LIMIT = 50
# How many unread ids a socket remembers to keep its badge exact; beyond, only the count.
UNREAD_IDS_LIMIT = 5000


def inbox(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-id")


def unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def socket_snapshot(
    *, user_id: int, after: int | None = None, since: datetime.datetime | None = None
) -> dict:
    """What a socket needs when it opens: the unread count, the unread ids it is counting (so that
    a push of one of them is not counted twice), the newest id, and the unread notifications the
    page has not seen: those after ``after`` (the last id the page saw, on a reconnect) or, on a
    first connect, those created since the page was rendered (``since``)."""
    unread = Notification.objects.filter(recipient_id=user_id, read_at__isnull=True)
    unread_ids = list(unread.order_by("-id").values_list("pk", flat=True)[:UNREAD_IDS_LIMIT])
    count = len(unread_ids)
    if count == UNREAD_IDS_LIMIT:
        count = unread.count()
    last_id = Notification.objects.filter(recipient_id=user_id).aggregate(m=Max("id"))["m"] or 0
    missed: list[Notification] = []
    if after is not None:
        missed = list(unread.filter(pk__gt=after).order_by("-id")[: CATCH_UP_LIMIT + 1])
    elif since is not None:
        missed = list(unread.filter(created_at__gte=since).order_by("-id")[: CATCH_UP_LIMIT + 1])
    more = len(missed) > CATCH_UP_LIMIT
    missed = sorted(missed[:CATCH_UP_LIMIT], key=lambda n: n.pk)
    return {
        "unread_ids": unread_ids,
        "unread_count": count,
        "last_id": last_id,
        "missed": [n.as_message() for n in missed],
        "more": more,
    }
