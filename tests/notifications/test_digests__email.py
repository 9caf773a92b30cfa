"""The email fallback: what was written while the user had no socket open reaches them in a
digest, at most one per 15 minutes, and never what they already read or what was withdrawn."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from notifications import presence
from notifications.digests import DIGEST_INTERVAL, send_digests
from notifications.events import Event
from notifications.models import Notification
from notifications.publish import notify

pytestmark = pytest.mark.django_db

BASE = "https://lepes.example.org"


def _notify(user, case="EFOP/0001"):
    return notify(recipient=user, event=Event.FOLLOW_UP_DUE, params={"case": case}, url="/cases/7/")


def test_an_offline_user_gets_one_digest_with_links_to_the_cases(world):
    first, second = _notify(world.mentor, "EFOP/0001"), _notify(world.mentor, "EFOP/0002")
    run = send_digests(base_url=BASE)
    assert (run.sent, run.notifications) == (1, 2)
    (message,) = mail.outbox
    assert message.to == [world.mentor.email]
    assert "2 new notifications" in message.subject
    assert first.title in message.body and second.title in message.body
    assert f"{BASE}/cases/7/" in message.body
    assert f"{BASE}/notifications/" in message.body
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_a_notification_written_while_the_user_was_online_is_not_emailed(world):
    presence.connected(user_id=world.mentor.pk, channel_name="specific.a!1")
    _notify(world.mentor)
    send_digests(base_url=BASE)
    assert mail.outbox == []


def test_what_was_read_or_withdrawn_before_the_digest_is_not_emailed(world):
    read, withdrawn = _notify(world.mentor), _notify(world.mentor)
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    Notification.objects.filter(pk=withdrawn.pk).update(
        read_at=timezone.now(), withdrawn_at=timezone.now()
    )
    assert send_digests(base_url=BASE).sent == 0
    assert mail.outbox == []


def test_at_most_one_digest_per_fifteen_minutes(world):
    _notify(world.mentor)
    start = timezone.now()
    assert send_digests(base_url=BASE, now=start).sent == 1
    later = _notify(world.mentor, "EFOP/0009")
    run = send_digests(base_url=BASE, now=start + DIGEST_INTERVAL - datetime.timedelta(seconds=1))
    assert (run.sent, run.waiting) == (0, 1)
    assert len(mail.outbox) == 1
    assert send_digests(base_url=BASE, now=start + DIGEST_INTERVAL).sent == 1
    assert len(mail.outbox) == 2
    assert later.title in mail.outbox[1].body
    assert "EFOP/0001" not in mail.outbox[1].body  # already emailed


def test_each_user_gets_their_own_digest_and_only_their_own(world):
    _notify(world.mentor, "EFOP/0001")
    _notify(world.mentor2, "EFOP/0002")
    send_digests(base_url=BASE)
    by_recipient = {message.to[0]: message.body for message in mail.outbox}
    assert "EFOP/0001" in by_recipient[world.mentor.email]
    assert "EFOP/0002" not in by_recipient[world.mentor.email]
    assert "EFOP/0002" in by_recipient[world.mentor2.email]


def test_users_without_an_address_or_deactivated_get_no_email(world):
    world.mentor.email = ""
    world.mentor.save()
    _notify(world.mentor)
    _notify(world.mentor2)
    world.mentor2.is_active = False
    world.mentor2.save()
    assert send_digests(base_url=BASE).sent == 0
    assert mail.outbox == []


def test_a_failed_send_leaves_the_notifications_for_the_next_run(world):
    _notify(world.mentor)
    with mock.patch("notifications.digests.send_mail", side_effect=OSError("smtp down")):
        run = send_digests(base_url=BASE)
    assert (run.sent, run.failed) == (0, 1)
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 1
    assert send_digests(base_url=BASE).sent == 1


def test_the_command_sends_the_digests_and_says_how_many(world, capsys):
    _notify(world.mentor)
    call_command("send_notification_digests", "--base-url", BASE)
    assert "digests sent: 1 (1 notifications)" in capsys.readouterr().out
    call_command("send_notification_digests", "--base-url", BASE)
    assert "digests sent: 0" in capsys.readouterr().out
    assert len(mail.outbox) == 1
