"""Who has a notification socket open, kept in the database so that every daphne process and
the digest command agree, and whether an open socket may still receive.

The consumer calls these helpers (through ``database_sync_to_async``); they are the only writes a
socket causes, and they touch no domain data.
"""

from __future__ import annotations

import datetime
import hashlib
from importlib import import_module
from types import SimpleNamespace

from django.conf import settings
from django.contrib import auth
from django.utils import timezone

from .models import SocketPresence


def heartbeat_seconds() -> float:
    """How often an open socket re-checks its user and refreshes its presence row."""
    return float(getattr(settings, "NOTIFICATIONS_HEARTBEAT_SECONDS", 60))


def stale_after() -> datetime.timedelta:
    """A presence row not refreshed for this long belongs to a socket (or process) that is gone."""
    return datetime.timedelta(seconds=heartbeat_seconds() * 2.5)


def session_fingerprint(session_key: str | None) -> str:
    """A stand-in for a session key in channel-layer messages: the key itself is a credential and
    must not travel through Redis."""
    if not session_key:
        return ""
    return hashlib.sha256(f"lepes-socket:{session_key}".encode()).hexdigest()[:32]


def connected(*, user_id: int, channel_name: str) -> None:
    now = timezone.now()
    SocketPresence.objects.update_or_create(
        channel_name=channel_name,
        defaults={"user_id": user_id, "connected_at": now, "last_seen_at": now},
    )


def touch(*, channel_name: str) -> None:
    SocketPresence.objects.filter(channel_name=channel_name).update(last_seen_at=timezone.now())


def disconnected(*, channel_name: str) -> None:
    SocketPresence.objects.filter(channel_name=channel_name).delete()


def forget_user(*, user_id: int) -> None:
    """Every socket of the user is being closed (deactivation)."""
    SocketPresence.objects.filter(user_id=user_id).delete()


def online_sockets(user_id: int):
    """The user's open sockets (a queryset: ``Exists`` of it is a value an INSERT can compute)."""
    cutoff = timezone.now() - stale_after()
    return SocketPresence.objects.filter(user_id=user_id, last_seen_at__gte=cutoff)


def is_online(user_id: int) -> bool:
    return online_sockets(user_id).exists()


def purge_stale() -> int:
    """Remove the rows of sockets whose process died without saying so."""
    cutoff = timezone.now() - stale_after()
    deleted, _ = SocketPresence.objects.filter(last_seen_at__lt=cutoff).delete()
    return deleted


def still_allowed(*, user_id: int, session_key: str | None) -> bool:
    """Whether the socket opened by ``user_id`` with ``session_key`` may go on receiving: the
    session still exists, still belongs to that user (same password hash), and the user is
    active. Mirrors ``django.contrib.auth.get_user``, which Channels used when it connected."""
    if session_key is None:
        # Not a session-authenticated socket (test scopes): only the account can be checked.
        user_model = auth.get_user_model()
        return user_model._default_manager.filter(pk=user_id, is_active=True).exists()
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore(session_key)
    user = auth.get_user(SimpleNamespace(session=store))
    return bool(user.is_authenticated and user.pk == user_id and user.is_active)
