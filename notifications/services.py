"""Writes to a user's own notifications. Each runs in one transaction and tells the user's open
pages after commit, through ``publish`` (the one door to the channel layer)."""

from __future__ import annotations

from django.utils import timezone

from kernel.services import service

from .models import Notification
from .publish import send_read_on_commit


@service
def notification_mark_read(*, user, notification_id: int) -> Notification:
    """Mark one of ``user``'s notifications read. Another user's answers DoesNotExist."""
    notification = Notification.objects.select_for_update().get(pk=notification_id, recipient=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        send_read_on_commit(user.pk, [notification.pk])
    return notification


@service
def notification_mark_all_read(*, user) -> int:
    """Mark every unread notification of ``user`` read; returns how many."""
    ids = list(
        Notification.objects.select_for_update()
        .filter(recipient=user, read_at__isnull=True)
        .values_list("pk", flat=True)
    )
    if ids:
        Notification.objects.filter(pk__in=ids).update(read_at=timezone.now())
        send_read_on_commit(user.pk, ids)
    return len(ids)
