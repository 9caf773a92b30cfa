"""Fixtures for the notification tests: a fresh channel layer per test, session cookies, and
sockets opened through the real ASGI stack (origin check, session auth, routing)."""

from __future__ import annotations

import contextlib

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import close_old_connections
from django.test import Client

from config.asgi import application

ORIGIN = b"http://127.0.0.1"


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """The in-memory layer binds its queues to an event loop: each test gets its own layer."""
    channel_layers.backends = {}
    yield
    channel_layers.backends = {}


def session_key_for(user) -> str:
    """Log ``user`` in and return the session key, as a browser's cookie would carry it."""
    client = Client()
    client.force_login(user)
    return client.session.session_key


@contextlib.asynccontextmanager
async def socket(session_key: str | None = None, *, origin: bytes = ORIGIN, query: str = ""):
    """An open notification socket; yields the communicator and the ``hello`` it received."""
    communicator = open_communicator(session_key, origin=origin, query=query)
    connected, code = await communicator.connect(timeout=5)
    assert connected, code
    hello = await communicator.receive_json_from(timeout=5)
    assert hello["type"] == "hello", hello
    try:
        yield communicator, hello
    finally:
        await communicator.disconnect()
        await sync_to_async(close_old_connections)()


def open_communicator(session_key: str | None = None, *, origin=ORIGIN, query: str = ""):
    headers = [(b"host", b"127.0.0.1")]
    if origin is not None:
        headers.append((b"origin", origin))
    if session_key:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()))
    path = "/ws/notifications/" + (f"?{query}" if query else "")
    return WebsocketCommunicator(application, path, headers=headers)


async def drain(communicator, *, quiet: float = 0.3) -> list[dict]:
    """Every message the socket has received until it stays quiet for ``quiet`` seconds."""
    messages = []
    while not await communicator.receive_nothing(timeout=quiet):
        messages.append(await communicator.receive_json_from(timeout=1))
    return messages


async def receive_type(communicator, kind: str, *, timeout: float = 3) -> dict:
    """The next message of type ``kind`` (others before it are skipped)."""
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        if message["type"] == kind:
            return message
