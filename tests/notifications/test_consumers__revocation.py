"""A socket stops receiving soon after its session or account ends, or its task moves on:
logout closes that session's sockets, deactivation all of the user's, and a socket re-checks its
session before relaying, so a revocation no signal announced is caught too."""

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import Client
from django.urls import reverse

from notifications.consumers import CLOSE_DEACTIVATED, CLOSE_UNAUTHENTICATED
from notifications.events import Event
from notifications.models import SocketPresence
from notifications.publish import notify

from .conftest import drain, open_communicator, session_key_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

REVOCATION_DEADLINE = 5  # seconds


def _notify(user):
    with transaction.atomic():
        return notify(recipient=user, event=Event.FOLLOW_UP_DUE, params={"case": "EFOP/0001"})


notify_async = database_sync_to_async(_notify)


async def _open(key):
    communicator = open_communicator(key)
    connected, code = await communicator.connect(timeout=5)
    assert connected, code
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    return communicator


async def _closed_within(communicator, seconds) -> tuple[int, float]:
    """The close code the socket receives (skipping other messages), and how long it took."""
    started = time.monotonic()
    while True:
        output = await communicator.receive_output(timeout=seconds)
        if output["type"] == "websocket.close":
            return output.get("code"), time.monotonic() - started


def _logout(session_key):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    response = client.post(reverse("logout"))
    assert response.status_code == 302


async def test_logout_closes_that_sessions_sockets_but_not_the_users_other_sessions(world):
    laptop = await sync_to_async(session_key_for)(world.mentor)
    phone = await sync_to_async(session_key_for)(world.mentor)
    laptop_socket, phone_socket = await _open(laptop), await _open(phone)
    try:
        await sync_to_async(_logout)(laptop)
        code, took = await _closed_within(laptop_socket, REVOCATION_DEADLINE)
        assert code == CLOSE_UNAUTHENTICATED and took < REVOCATION_DEADLINE
        notification = await notify_async(world.mentor)
        assert [m["id"] for m in await drain(phone_socket)] == [notification.pk]
    finally:
        await laptop_socket.disconnect()
        await phone_socket.disconnect()
    # The logged-out session cannot open a new socket.
    again = open_communicator(laptop)
    assert not (await again.connect(timeout=5))[0]
    await again.disconnect()


async def test_deactivation_closes_every_socket_of_the_user_and_forgets_their_presence(world):
    keys = [await sync_to_async(session_key_for)(world.mentor) for _ in range(2)]
    sockets = [await _open(key) for key in keys]
    bystander = await _open(await sync_to_async(session_key_for)(world.mentor2))
    try:
        world.mentor.is_active = False
        await database_sync_to_async(world.mentor.save)()
        for communicator in sockets:
            code, took = await _closed_within(communicator, REVOCATION_DEADLINE)
            assert code == CLOSE_DEACTIVATED and took < REVOCATION_DEADLINE
        assert await bystander.receive_nothing(timeout=0.2)
        assert not await database_sync_to_async(
            SocketPresence.objects.filter(user=world.mentor).exists
        )()
    finally:
        for communicator in [*sockets, bystander]:
            await communicator.disconnect()


async def test_a_deactivation_no_signal_announced_stops_the_next_relay(world, settings):
    settings.NOTIFICATIONS_RELAY_RECHECK_SECONDS = 0
    key = await sync_to_async(session_key_for)(world.mentor)
    communicator = await _open(key)
    try:
        # A bulk update sends no post_save: only the socket's own re-check can notice.
        await database_sync_to_async(get_user_model().objects.filter(pk=world.mentor.pk).update)(
            is_active=False
        )
        # The row is written before the update is noticed; the relay must not carry it.
        world.mentor.is_active = True  # the stale instance still looks active to notify()
        await notify_async(world.mentor)
        output = await communicator.receive_output(timeout=REVOCATION_DEADLINE)
        assert output == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}
    finally:
        await communicator.disconnect()


async def test_a_deleted_session_is_noticed_by_the_periodic_recheck(world, settings):
    settings.NOTIFICATIONS_HEARTBEAT_SECONDS = 0.2
    key = await sync_to_async(session_key_for)(world.mentor)
    communicator = await _open(key)
    try:
        await database_sync_to_async(Session.objects.filter(session_key=key).delete)()
        code, took = await _closed_within(communicator, REVOCATION_DEADLINE)
        assert code == CLOSE_UNAUTHENTICATED and took < REVOCATION_DEADLINE
    finally:
        await communicator.disconnect()


async def test_the_heartbeat_keeps_a_live_sockets_presence_fresh(world, settings):
    settings.NOTIFICATIONS_HEARTBEAT_SECONDS = 0.1
    key = await sync_to_async(session_key_for)(world.mentor)
    communicator = await _open(key)
    try:
        first = await database_sync_to_async(
            SocketPresence.objects.values_list("last_seen_at", flat=True).get
        )(user=world.mentor)
        await asyncio.sleep(0.5)
        later = await database_sync_to_async(
            SocketPresence.objects.values_list("last_seen_at", flat=True).get
        )(user=world.mentor)
        assert later > first
        assert await communicator.receive_nothing(timeout=0.05)  # still open, nothing sent
    finally:
        await communicator.disconnect()
