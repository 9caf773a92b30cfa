"""The one door to the channel layer (DESIGN.md rule 3).

``notify`` writes the ``Notification`` row inside the caller's transaction and sends the push with
``transaction.on_commit``: a rolled-back transition leaves neither a row nor a push.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import translation

from .events import TITLES, Event
from .models import Notification

log = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    """The channel-layer group of one user, built only from the server-side id."""
    return f"user.{int(user_id)}"


def _language_of(user) -> str:
    profile = getattr(user, "staff_profile", None)
    return profile.language if profile else translation.get_language() or "hu"


def notify(
    *, recipient, event: Event, params: dict, url: str = "", case=None, task_id: int | None = None
) -> Notification | None:
    """Record a notification for ``recipient`` and push it after commit."""
    if recipient is None or not recipient.is_active:
        return None
    with translation.override(_language_of(recipient)):
        title = str(TITLES[event] % {key: str(value) for key, value in params.items()})
    notification = Notification.objects.create(
        recipient=recipient, event=event, title=title[:300], url=url, case=case, task_id=task_id
    )
    transaction.on_commit(lambda: push(notification))
    return notification


def push(notification: Notification) -> None:
    """Send one notification to every open socket of its recipient. Called after commit."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            user_group(notification.recipient_id),
            {"type": "notification.message", "message": notification.as_message()},
        )
    except Exception:  # the row is saved: the inbox and reconnect catch-up still deliver it
        log.exception("push of notification %s failed", notification.pk)
