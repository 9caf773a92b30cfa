"""The notification socket. It relays; it never writes domain data.

A socket belongs to one user and joins only that user's group (``publish.user_group``, built from
the server-side id). When it opens it sends a ``hello`` with the unread count and what the page
missed; then it relays what ``publish`` sends to the group, keeping the page's badge exact, and
closes itself when the session ends (logout), the user is deactivated, or a periodic re-check
finds the session no longer valid. The only rows it writes are its presence row
(``presence``), which tells ``notify`` whether the user is online.

Close codes: 4401 the session ended or was never valid, 4403 the account was deactivated. A page
does not reconnect after either.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import logging
import time
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import timezone

from . import presence, selectors
from .publish import user_group

log = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_DEACTIVATED = 4403
# A page rendered longer ago than this gets no toasts for what came before it connected.
MAX_SINCE_AGE = datetime.timedelta(minutes=10)


def relay_recheck_seconds() -> float:
    """How stale the socket's last check of its session may be when it relays a notification:
    bounds how long a user revoked without a signal (session deleted, account deactivated by a
    bulk update) can go on receiving."""
    return float(getattr(settings, "NOTIFICATIONS_RELAY_RECHECK_SECONDS", 5))


# The latest session check per (user id, session key) in this process, and the one running,
# shared by the sockets of that session. Only touched from the event loop's thread.
_recent_checks: dict[tuple[int, str | None], tuple[float, bool]] = {}
_checks_in_flight: dict[tuple[int, str | None], asyncio.Task] = {}


async def _check_session(user_id: int, session_key: str | None) -> bool:
    """``presence.still_allowed``, run once for all the sockets of a session that ask at the same
    time (one event fanned out to many tabs), and remembered for the others."""
    key = (user_id, session_key)
    loop = asyncio.get_running_loop()
    task = _checks_in_flight.get(key)
    if task is None or task.get_loop() is not loop:
        task = loop.create_task(
            database_sync_to_async(presence.still_allowed)(user_id=user_id, session_key=session_key)
        )
        _checks_in_flight[key] = task
        task.add_done_callback(lambda done: _checks_in_flight.pop(key, None))
    allowed = await asyncio.shield(task)
    _remember_check(key, time.monotonic(), allowed)
    return allowed


def _remember_check(key: tuple[int, str | None], at: float, allowed: bool) -> None:
    if len(_recent_checks) > 10_000:
        horizon = at - relay_recheck_seconds()
        for stale in [k for k, (when, _ok) in _recent_checks.items() if when < horizon]:
            del _recent_checks[stale]
    _recent_checks[key] = (at, allowed)


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    user_id: int | None = None
    revoked = False
    heartbeat: asyncio.Task | None = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None) if session is not None else None
        self.fingerprint = presence.session_fingerprint(self.session_key)
        self.group = user_group(self.user_id)
        self.checked_at = time.monotonic()
        # Join before reading the snapshot: a notification committed in between is either in the
        # snapshot or pushed afterwards, and ``seen`` keeps it from counting twice.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await database_sync_to_async(presence.connected)(
            user_id=self.user_id, channel_name=self.channel_name
        )
        await self.accept()
        after, since = self._resume_point()
        snapshot = await database_sync_to_async(selectors.socket_snapshot)(
            user_id=self.user_id, after=after, since=since
        )
        self.unread_ids = set(snapshot["unread_ids"])
        self.unread_beyond = snapshot["unread_count"] - len(self.unread_ids)
        self.read_ids: set[int] = set()
        self.seen = self.unread_ids | {message["id"] for message in snapshot["missed"]}
        await self.send_json(
            {
                "type": "hello",
                "unread_count": self._unread_count(),
                "last_id": snapshot["last_id"],
                "missed": snapshot["missed"],
                "more": snapshot["more"],
            }
        )
        self.heartbeat = asyncio.ensure_future(self._heartbeat())

    async def disconnect(self, code):
        self._stop_heartbeat()
        if self.user_id is None:
            return
        if not self.revoked:
            await self.channel_layer.group_discard(self.group, self.channel_name)
        await database_sync_to_async(presence.disconnected)(channel_name=self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """The page may only ping; anything else is ignored."""
        try:
            content = json.loads(text_data or "")
        except ValueError:
            return
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    # -- messages from ``publish`` ---------------------------------------------------------------

    async def dispatch(self, message):
        """Channels runs ``close_old_connections`` in the sync thread before every handler. The
        relays below touch the database only through ``database_sync_to_async``, which does that
        itself, so they skip the hop: measured, it was most of the commit-to-socket latency
        (closing the last SQLite connection checkpoints the WAL)."""
        if message.get("type", "").startswith("notification."):
            handler = getattr(self, get_handler_name(message), None)
            if handler is not None:
                await handler(message)
                return
        await super().dispatch(message)

    async def notification_message(self, event):
        message = event["message"]
        if self.revoked or message["id"] in self.seen:
            return
        if not await self._recheck(throttled=True):
            return
        self.seen.add(message["id"])
        if message.get("unread") and message["id"] not in self.read_ids:
            self.unread_ids.add(message["id"])
        else:
            message = {**message, "unread": False}
        await self.send_json(
            {"type": "notification", **message, "unread_count": self._unread_count()}
        )

    async def notification_state(self, event):
        if self.revoked:
            return
        read = [int(pk) for pk in event["message"]["read"]]
        for pk in read:
            if pk in self.unread_ids:
                self.unread_ids.discard(pk)
            elif pk not in self.seen and pk not in self.read_ids and self.unread_beyond > 0:
                self.unread_beyond -= 1  # one of the old unread ids beyond the remembered ones
            self.read_ids.add(pk)
        await self.send_json({"type": "state", "read": read, "unread_count": self._unread_count()})

    async def notification_revoke(self, event):
        session = event["message"].get("session")
        if session and session != self.fingerprint:
            return  # another session of the same user logged out
        await self._revoke(CLOSE_UNAUTHENTICATED if session else CLOSE_DEACTIVATED)

    # -- helpers ---------------------------------------------------------------------------------

    def _unread_count(self) -> int:
        return len(self.unread_ids) + max(self.unread_beyond, 0)

    def _resume_point(self) -> tuple[int | None, datetime.datetime | None]:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        after = since = None
        with contextlib.suppress(KeyError, ValueError):
            after = max(int(query["after"][0]), 0)
        try:
            rendered = datetime.datetime.fromtimestamp(float(query["since"][0]), tz=datetime.UTC)
            since = max(rendered, timezone.now() - MAX_SINCE_AGE)
        except (KeyError, ValueError, OverflowError, OSError):
            pass
        return after, since

    async def _recheck(self, *, throttled: bool = False) -> bool:
        """Whether the socket may go on; closes it when not. Before a relay, a check younger
        than ``relay_recheck_seconds`` is trusted: this socket's own, or one made by another
        socket of the same session in this process (a user with many tabs open costs one query
        per event, not one per tab)."""
        window = relay_recheck_seconds()
        now = time.monotonic()
        if throttled:
            if now - self.checked_at < window:
                return True
            shared = _recent_checks.get((self.user_id, self.session_key))
            if shared is not None and now - shared[0] < window and shared[1]:
                self.checked_at = shared[0]
                return True
        allowed = await _check_session(self.user_id, self.session_key)
        self.checked_at = time.monotonic()
        if not allowed:
            await self._revoke(CLOSE_UNAUTHENTICATED)
        return allowed

    async def _revoke(self, code: int) -> None:
        if self.revoked:
            return
        self.revoked = True
        self._stop_heartbeat()
        await self.channel_layer.group_discard(self.group, self.channel_name)
        await database_sync_to_async(presence.disconnected)(channel_name=self.channel_name)
        await self.close(code=code)

    async def _heartbeat(self) -> None:
        """Re-check the session and refresh the presence row, until the socket closes."""
        interval = presence.heartbeat_seconds()
        while not self.revoked:
            await asyncio.sleep(interval)
            try:
                if not await self._recheck():
                    return
                await database_sync_to_async(presence.touch)(channel_name=self.channel_name)
            except Exception:  # a database hiccup must not kill the socket; try next beat
                log.exception("notification socket heartbeat failed")

    def _stop_heartbeat(self) -> None:
        task = self.heartbeat
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        self.heartbeat = None
