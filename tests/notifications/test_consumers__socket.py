"""The notification socket over the real ASGI stack: who may connect, what is pushed and when,
catch-up on reconnect, and that no one ever receives another user's notification."""

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from casework import services
from kernel.errors import GuardFailed
from notifications.events import TITLES, Event
from notifications.models import Notification, SocketPresence
from notifications.publish import notify, user_group

from ..journey import complete_intake
from .conftest import drain, open_communicator, receive_type, session_key_for, socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

MESSAGE_FIELDS = {"id", "event", "title", "url", "created_at", "unread"}


def _notify(user, event=Event.CASE_STAGE_CHANGED, **params):
    params = {
        "case": "EFOP/0001",
        "task": "a task",
        "stage": "training",
        "partner": "P",
        "days": 4,
        "assignee": "M",
        "purpose": "photos at events",
        "user": "U",
        "project": "Komunitná záhrada",
        "status": "approved",
        **params,
    }
    with transaction.atomic():
        return notify(recipient=user, event=event, params=params, url="/cases/1/")


notify_async = database_sync_to_async(_notify)


async def test_the_assignee_receives_the_new_task_only_after_the_commit(world, case):
    key = await sync_to_async(session_key_for)(world.mentor)
    async with socket(key) as (communicator, hello):
        assert hello["unread_count"] == 0
        await database_sync_to_async(complete_intake)(case, world)

        pushed = await drain(communicator)
        rows = await database_sync_to_async(list)(
            Notification.objects.filter(recipient=world.mentor).order_by("pk")
        )
        assert [m["type"] for m in pushed] == ["notification"] * len(rows)
        assert [m["id"] for m in pushed] == [row.pk for row in rows]
        assert pushed[0]["event"] == Event.TASK_ASSIGNED
        assert "Draft the development plan" in pushed[0]["title"]
        assert pushed[0]["url"] == case.get_absolute_url()
        assert set(pushed[0]) >= MESSAGE_FIELDS
        assert pushed[0]["unread"] is True
        assert [m["unread_count"] for m in pushed] == list(range(1, len(rows) + 1))


async def test_a_rolled_back_transaction_pushes_nothing(world):
    key = await sync_to_async(session_key_for)(world.mentor)

    def notify_then_fail():
        with transaction.atomic():
            notify(recipient=world.mentor, event=Event.FOLLOW_UP_DUE, params={"case": "X"})
            raise RuntimeError("the transition failed")

    async with socket(key) as (communicator, _hello):
        with pytest.raises(RuntimeError):
            await database_sync_to_async(notify_then_fail)()
        assert await communicator.receive_nothing(timeout=0.5)
    assert not await database_sync_to_async(Notification.objects.exists)()


async def test_a_refused_service_pushes_nothing(world, case):
    key = await sync_to_async(session_key_for)(world.mentor)
    await database_sync_to_async(services.case_assign_mentor)(
        user=world.worker, case_id=case.pk, mentor_id=world.mentor.pk
    )
    async with socket(key) as (communicator, _hello):
        with pytest.raises(GuardFailed):  # no consent yet
            await database_sync_to_async(services.case_advance)(user=world.worker, case_id=case.pk)
        assert await communicator.receive_nothing(timeout=0.5)


async def test_an_inactive_user_is_refused(world):
    key = await sync_to_async(session_key_for)(world.mentor)
    world.mentor.is_active = False
    await database_sync_to_async(world.mentor.save)()
    communicator = open_communicator(key)
    connected, _code = await communicator.connect(timeout=5)
    assert not connected
    await communicator.disconnect()


async def test_the_first_message_carries_the_unread_count_and_the_newest_id(world):
    await notify_async(world.mentor)
    read = await notify_async(world.mentor)
    await database_sync_to_async(Notification.objects.filter(pk=read.pk).update)(
        read_at=read.created_at
    )
    newest = await notify_async(world.mentor)
    key = await sync_to_async(session_key_for)(world.mentor)
    async with socket(key) as (_communicator, hello):
        assert hello["unread_count"] == 2
        assert hello["last_id"] == newest.pk
        assert hello["missed"] == []  # a first connect without ?since= toasts nothing old


async def test_a_user_never_receives_another_users_notification(world):
    """Every user has a socket open; each gets one notification of every event; each socket
    receives exactly its own user's, and nothing else."""
    users = [
        world.mentor,
        world.mentor2,
        world.supervisor,
        world.worker,
        world.other_mentor,
        world.other_supervisor,
    ]
    keys = [await sync_to_async(session_key_for)(user) for user in users]
    sockets = []
    for key in keys:
        communicator = open_communicator(key)
        assert (await communicator.connect(timeout=5))[0]
        assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
        sockets.append(communicator)
    try:
        for user in users:
            for event in Event:
                await notify_async(user, event)
        for user, communicator in zip(users, sockets, strict=True):
            received = await drain(communicator)
            own = await database_sync_to_async(list)(
                Notification.objects.filter(recipient=user)
                .order_by("pk")
                .values_list("pk", "event")
            )
            assert [(m["id"], m["event"]) for m in received] == own, user.username
            assert sorted(event for _pk, event in own) == sorted(Event.values)
    finally:
        for communicator in sockets:
            await communicator.disconnect()


async def test_reconnecting_with_the_last_seen_id_delivers_what_was_missed_exactly_once(world):
    key = await sync_to_async(session_key_for)(world.mentor)
    async with socket(key) as (communicator, _hello):
        first = await notify_async(world.mentor)
        seen = await receive_type(communicator, "notification")
        assert seen["id"] == first.pk
    # Offline: two notifications, and one that is read elsewhere before the page comes back.
    missed = [await notify_async(world.mentor), await notify_async(world.mentor)]
    gone = await notify_async(world.mentor)
    await database_sync_to_async(Notification.objects.filter(pk=gone.pk).update)(
        read_at=gone.created_at
    )

    async with socket(key, query=f"after={first.pk}") as (communicator, hello):
        assert [m["id"] for m in hello["missed"]] == [n.pk for n in missed]
        assert all(set(m) >= MESSAGE_FIELDS for m in hello["missed"])
        assert hello["unread_count"] == 3
        assert hello["more"] is False
        # A push of an already-delivered notification (it raced the reconnect) is not relayed.
        await get_channel_layer().group_send(
            user_group(world.mentor.pk),
            {"type": "notification.message", "message": missed[1].as_message()},
        )
        assert await communicator.receive_nothing(timeout=0.3)
        # What comes next arrives once, counted once.
        later = await notify_async(world.mentor)
        pushed = await drain(communicator)
        assert [(m["id"], m["unread_count"]) for m in pushed] == [(later.pk, 4)]


async def test_a_page_connecting_after_it_was_rendered_gets_what_came_in_between(world):
    key = await sync_to_async(session_key_for)(world.mentor)
    before = await notify_async(world.mentor)
    rendered = before.created_at.timestamp() + 0.001
    between = await notify_async(world.mentor)
    async with socket(key, query=f"since={rendered}") as (_communicator, hello):
        assert [m["id"] for m in hello["missed"]] == [between.pk]
        assert hello["unread_count"] == 2


async def test_reading_in_another_tab_updates_the_badge_of_every_open_page(world):
    from notifications.services import notification_mark_all_read, notification_mark_read

    first, second, third = [await notify_async(world.mentor) for _ in range(3)]
    key = await sync_to_async(session_key_for)(world.mentor)
    async with socket(key) as (communicator, hello):
        assert hello["unread_count"] == 3
        await database_sync_to_async(notification_mark_read)(
            user=world.mentor, notification_id=second.pk
        )
        state = await receive_type(communicator, "state")
        assert (state["read"], state["unread_count"]) == ([second.pk], 2)
        await database_sync_to_async(notification_mark_all_read)(user=world.mentor)
        state = await receive_type(communicator, "state")
        assert (sorted(state["read"]), state["unread_count"]) == ([first.pk, third.pk], 0)


async def test_reassignment_withdraws_the_task_from_the_previous_mentors_badge(world, case):
    await database_sync_to_async(complete_intake)(case, world)
    key = await sync_to_async(session_key_for)(world.mentor)
    key2 = await sync_to_async(session_key_for)(world.mentor2)
    async with socket(key) as (old, old_hello), socket(key2) as (new, _new_hello):
        assert old_hello["unread_count"] == 2  # the draft-plan task and the stage change
        await database_sync_to_async(services.case_assign_mentor)(
            user=world.worker, case_id=case.pk, mentor_id=world.mentor2.pk
        )
        old_messages = await drain(old)
        assert [m["type"] for m in old_messages] == ["state", "notification"]
        assert old_messages[0]["unread_count"] == 1
        assert old_messages[1]["event"] == Event.TASK_REASSIGNED
        assert old_messages[1]["unread_count"] == 2
        new_messages = await drain(new)
        assert [m["event"] for m in new_messages] == [Event.TASK_ASSIGNED]


async def test_an_open_socket_is_recorded_as_presence_and_removed_when_it_closes(world):
    key = await sync_to_async(session_key_for)(world.mentor)
    async with socket(key):
        assert (
            await database_sync_to_async(SocketPresence.objects.filter(user=world.mentor).count)()
            == 1
        )
        online = await notify_async(world.mentor)
    assert not await database_sync_to_async(SocketPresence.objects.exists)()
    offline = await notify_async(world.mentor)
    # The database decides the flag in the INSERT: read it back from the rows.
    flags = await database_sync_to_async(
        lambda: list(
            Notification.objects.filter(pk__in=[online.pk, offline.pk])
            .order_by("pk")
            .values_list("recipient_online", flat=True)
        )
    )()
    assert flags == [True, False]


async def test_the_page_may_ping_and_anything_else_it_sends_is_ignored(world):
    key = await sync_to_async(session_key_for)(world.mentor)
    async with socket(key) as (communicator, _hello):
        await communicator.send_to(text_data="not json")
        await communicator.send_json_to({"type": "mark_read", "id": 1})
        assert await communicator.receive_nothing(timeout=0.2)
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from(timeout=2) == {"type": "pong"}


async def test_every_event_has_a_title():
    assert set(TITLES) == set(Event)
