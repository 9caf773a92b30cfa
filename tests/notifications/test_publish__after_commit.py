"""``publish`` is the one door to the channel layer: rows inside the transaction, sends only
after commit, nothing on rollback; and a reassigned task is withdrawn from the previous owner."""

from unittest import mock

import pytest
from django.db import transaction

from casework import services
from notifications import presence
from notifications.events import Event
from notifications.models import Notification
from notifications.publish import notify, revoke_sockets, user_group

from ..journey import complete_intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    with mock.patch("notifications.publish._send") as send:
        yield send


def test_the_row_is_written_at_once_and_the_push_leaves_only_at_commit(
    world, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notify(
            recipient=world.mentor, event=Event.FOLLOW_UP_DUE, params={"case": "EFOP/0001"}
        )
        assert Notification.objects.filter(pk=notification.pk).exists()
    assert sent.call_count == 0
    for callback in callbacks:
        callback()
    sent.assert_called_once_with(
        user_group(world.mentor.pk),
        {"type": "notification.message", "message": notification.as_message()},
    )


def test_a_rollback_leaves_neither_row_nor_push(world, sent, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        notify(recipient=world.mentor, event=Event.FOLLOW_UP_DUE, params={"case": "X"})
        1 / 0  # noqa: B018
    assert not Notification.objects.exists()
    assert sent.call_count == 0


def test_an_inactive_recipient_gets_nothing(world, sent, django_capture_on_commit_callbacks):
    world.mentor.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            notify(recipient=world.mentor, event=Event.FOLLOW_UP_DUE, params={"case": "X"}) is None
        )
    assert not Notification.objects.exists() and sent.call_count == 0


def test_the_row_records_whether_the_recipient_had_a_socket_open(world):
    presence.connected(user_id=world.mentor.pk, channel_name="specific.test!1")
    online = notify(recipient=world.mentor, event=Event.FOLLOW_UP_DUE, params={"case": "X"})
    offline = notify(recipient=world.mentor2, event=Event.FOLLOW_UP_DUE, params={"case": "X"})
    presence.disconnected(channel_name="specific.test!1")
    later = notify(recipient=world.mentor, event=Event.FOLLOW_UP_DUE, params={"case": "X"})
    assert (online.recipient_online, offline.recipient_online, later.recipient_online) == (
        True,
        False,
        False,
    )


def test_a_socket_of_a_dead_process_does_not_count_as_online(world, settings):
    settings.NOTIFICATIONS_HEARTBEAT_SECONDS = 60
    presence.connected(user_id=world.mentor.pk, channel_name="specific.dead!1")
    from django.utils import timezone

    from notifications.models import SocketPresence

    SocketPresence.objects.update(last_seen_at=timezone.now() - presence.stale_after())
    assert not presence.is_online(world.mentor.pk)
    assert presence.purge_stale() == 1


def test_reassignment_withdraws_the_previous_mentors_announcements_of_that_task(
    world, case, sent, django_capture_on_commit_callbacks
):
    complete_intake(case, world)
    announced = Notification.objects.get(recipient=world.mentor, event=Event.TASK_ASSIGNED)
    stage_news = Notification.objects.get(recipient=world.mentor, event=Event.CASE_STAGE_CHANGED)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_assign_mentor(user=world.worker, case_id=case.pk, mentor_id=world.mentor2.pk)
    announced.refresh_from_db()
    stage_news.refresh_from_db()
    assert announced.withdrawn and not announced.unread
    assert not stage_news.withdrawn and stage_news.unread  # not about the task: kept
    state = [c.args for c in sent.call_args_list if c.args[1]["type"] == "notification.state"]
    assert state == [
        (
            user_group(world.mentor.pk),
            {"type": "notification.state", "message": {"read": [announced.pk]}},
        )
    ]
    assert Notification.objects.filter(
        recipient=world.mentor2, event=Event.TASK_ASSIGNED, task_id=announced.task_id
    ).exists()


def test_revocation_is_sent_after_commit_and_names_a_session_only_by_fingerprint(
    world, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        revoke_sockets(world.mentor.pk, session_key="secret-session-key")
    assert sent.call_count == 0
    callbacks[0]()
    group, payload = sent.call_args.args
    assert group == user_group(world.mentor.pk)
    assert payload["type"] == "notification.revoke"
    assert payload["message"]["session"] == presence.session_fingerprint("secret-session-key")
    assert "secret-session-key" not in str(payload)


def test_notifications_recorded_in_a_service_are_written_in_one_insert_and_pushed_with_ids(
    world, sent, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kernel.services import service

    people = [world.mentor, world.mentor2, world.supervisor]

    @service
    def notify_three():
        recorded = [
            notify(recipient=person, event=Event.FOLLOW_UP_DUE, params={"case": "X"})
            for person in people
        ]
        assert not Notification.objects.exists()  # not yet: at the end of the service
        return recorded

    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as captured,
    ):
        recorded = notify_three()
    inserts = [q for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    rows = Notification.objects.order_by("pk")
    assert [(row.recipient_id, row.pk) for row in rows] == [
        (person.pk, notification.pk) for person, notification in zip(people, recorded, strict=True)
    ]
    assert [call.args[1]["message"]["id"] for call in sent.call_args_list] == [
        notification.pk for notification in recorded
    ]


def test_a_notification_of_a_rolled_back_savepoint_is_neither_written_nor_pushed(
    world, sent, django_capture_on_commit_callbacks
):
    from kernel.services import service

    @service
    def notify_one_of_two():
        kept = notify(recipient=world.mentor, event=Event.FOLLOW_UP_DUE, params={"case": "A"})
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            notify(recipient=world.mentor2, event=Event.FOLLOW_UP_DUE, params={"case": "B"})
            1 / 0  # noqa: B018
        return kept

    with django_capture_on_commit_callbacks(execute=True):
        kept = notify_one_of_two()
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [world.mentor.pk]
    assert [call.args[1]["message"]["id"] for call in sent.call_args_list] == [kept.pk]


def test_a_service_that_fails_after_notifying_writes_no_notification(
    world, case, sent, django_capture_on_commit_callbacks
):
    from casework.journey import Stage

    from ..casework.support import make_ready_to_leave
    from ..journey import to_stage

    case = to_stage(case, world, Stage.SCREENING)
    make_ready_to_leave(case, world)
    before = Notification.objects.count()
    real = services._announce_stage_change

    def announce_then_fail(*args, **kwargs):
        real(*args, **kwargs)  # the placement task and the stage change are both recorded
        raise RuntimeError("the last step of the service fails")

    with (
        mock.patch("casework.services._announce_stage_change", announce_then_fail),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
    ):
        services.case_advance(user=world.mentor, case_id=case.pk, from_stage=Stage.SCREENING)
    assert Notification.objects.count() == before
    assert sent.call_count == 0


def test_the_pushes_of_one_service_leave_together_after_commit(
    world, case, django_capture_on_commit_callbacks
):
    from casework.journey import Stage

    from ..casework.support import make_ready_to_leave
    from ..journey import to_stage

    case = to_stage(case, world, Stage.SCREENING)
    make_ready_to_leave(case, world)
    with (
        mock.patch("notifications.publish._send_now") as send_now,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.case_advance(user=world.mentor, case_id=case.pk, from_stage=Stage.SCREENING)
    (call,) = send_now.call_args_list  # one event-loop round for the whole service
    rows = Notification.objects.order_by("-pk")[:2]
    assert [message["message"]["id"] for _group, message in call.args[0]] == sorted(
        row.pk for row in rows
    )
