"""The one door to the channel layer (DESIGN.md rule 3).

``notify`` writes the ``Notification`` row inside the caller's transaction and sends the push with
``transaction.on_commit``: a rolled-back transition leaves neither a row nor a push. The other
senders here (badge state, withdrawal, socket revocation) follow the same rule.

Messages sent to a user's group (handled by ``consumers.NotificationConsumer``):

- ``notification.message``: one new notification (``Notification.as_message``);
- ``notification.state``: some notifications stopped being unread (read, or withdrawn when
  their task was reassigned);
- ``notification.revoke``: close the user's sockets, or those of one session (logout).
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Exists
from django.utils import timezone, translation

from kernel.services import at_service_end

from . import presence
from .events import TITLES, Event
from .models import Notification

log = logging.getLogger(__name__)

# What a task's previous owner was told while the task was theirs: withdrawn when it moves on.
TASK_EVENTS = (Event.TASK_ASSIGNED, Event.TASK_QUEUED, Event.TASK_OVERDUE)


def user_group(user_id: int) -> str:
    """The channel-layer group of one user, built only from the server-side id."""
    return f"user.{int(user_id)}"


def _language_of(user) -> str:
    profile = getattr(user, "staff_profile", None)
    return profile.language if profile else translation.get_language() or "hu"


def notify(
    *, recipient, event: Event, params: dict, url: str = "", case=None, task_id: int | None = None
) -> Notification | None:
    """Record a notification for ``recipient`` and push it after commit. Inside a service
    (``kernel.services.service``) the row is written with the others at the service's end."""
    if recipient is None or not recipient.is_active:
        return None
    if event == Event.TASK_REASSIGNED and task_id is not None:
        withdraw_task_notifications(recipient_id=recipient.pk, task_id=task_id)
    with translation.override(_language_of(recipient)):
        # Numbers stay numbers: a plural title (``ngettext_lazy``) chooses its form by them.
        values = {
            key: value if isinstance(value, int) else str(value) for key, value in params.items()
        }
        title = str(TITLES[event] % values)
    notification = Notification(
        recipient=recipient,
        event=event,
        title=title[:300],
        url=url,
        case=case,
        task_id=task_id,
        # Decided by the database in the INSERT itself rather than by a query of its own.
        recipient_online=Exists(presence.online_sockets(recipient.pk)),
    )

    def push_after_commit():
        _outbox().append(notification)  # pushed with the others of the service

    # Registered first: it marks the savepoint the notification belongs to.
    transaction.on_commit(push_after_commit)
    if not at_service_end(notification, flush=_write_batch, marker=push_after_commit):
        _write_batch([notification])  # outside a service: written at once
    return notification


def _write_batch(notifications: list[Notification]) -> None:
    """The notifications a service recorded, written together at its end (``@service``): one
    INSERT however many people it tells (a transition notifies two or three people; a plan
    waiting for approval, every supervisor of the organisation)."""
    _write(notifications)
    # After the rows' own callbacks (registered earlier) have put them in the outbox.
    transaction.on_commit(_push_outbox)


# The committed notifications of a service, between their on-commit callbacks and
# the service's ``_push_outbox``, per thread.
_pushes = threading.local()


def _outbox() -> list[Notification]:
    if getattr(_pushes, "outbox", None) is None:
        _pushes.outbox = []
    return _pushes.outbox


def _push_outbox() -> None:
    notifications, _pushes.outbox = _outbox(), []
    with _sent_together():
        for notification in notifications:
            push(notification)


def _write(notifications: list[Notification]) -> None:
    if not notifications:
        return
    Notification.objects.bulk_create(notifications)
    for notification in notifications:
        # The instance holds the expression, not its value: leave the field deferred, so that
        # reading it (nothing on the hot path does) loads what the database decided.
        vars(notification).pop("recipient_online", None)


def withdraw_task_notifications(*, recipient_id: int, task_id: int) -> list[int]:
    """The task is no longer ``recipient_id``'s: its unread announcements stop counting, are not
    caught up on reconnect and not emailed; open pages drop them from the badge after commit."""
    ids = list(
        Notification.objects.filter(
            recipient_id=recipient_id,
            task_id=task_id,
            event__in=TASK_EVENTS,
            read_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    if ids:
        now = timezone.now()
        Notification.objects.filter(pk__in=ids).update(read_at=now, withdrawn_at=now)
        send_read_on_commit(recipient_id, ids)
    return ids


def push(notification: Notification) -> None:
    """Send one notification to every open socket of its recipient. Called after commit."""
    _send(
        user_group(notification.recipient_id),
        {"type": "notification.message", "message": notification.as_message()},
    )


def send_read_on_commit(user_id: int, ids: list[int]) -> None:
    """After commit, tell the user's open pages that ``ids`` no longer count as unread (read
    elsewhere, or withdrawn). Each socket works out its own badge from the ids it counted."""
    message = {"read": [int(pk) for pk in ids]}
    transaction.on_commit(
        lambda: _send(user_group(user_id), {"type": "notification.state", "message": message})
    )


def revoke_sockets(user_id: int, *, session_key: str | None = None) -> None:
    """After commit, close the user's sockets: all of them, or only those opened with
    ``session_key`` (logout ends one session, not the user's other browsers)."""
    message = {"session": presence.session_fingerprint(session_key)}
    transaction.on_commit(
        lambda: _send(user_group(user_id), {"type": "notification.revoke", "message": message})
    )


# Messages held back by ``_sent_together()``, per thread.
_held = threading.local()


@contextmanager
def _sent_together():
    """Send the messages of the block in one go: each ``async_to_sync`` call outside a server's
    event loop starts a thread and an event loop of its own (about 0.4 ms)."""
    _held.messages = []
    try:
        yield
    finally:
        messages, _held.messages = _held.messages, None
        _send_now(messages)


def _send(group: str, payload: dict) -> None:
    held = getattr(_held, "messages", None)
    if held is not None:
        held.append((group, payload))
    else:
        _send_now([(group, payload)])


def _send_now(messages: list[tuple[str, dict]]) -> None:
    layer = get_channel_layer()
    if layer is None or not messages:
        return

    async def send_all():
        for group, payload in messages:
            try:
                await layer.group_send(group, payload)
            except Exception:  # the rows are saved: the inbox and catch-up still deliver them
                log.exception("channel-layer send to %s failed", group)

    try:
        async_to_sync(send_all)()
    except Exception:
        log.exception("channel-layer sends failed")
