"""The inbox page: a user's own notifications only, mark-read and mark-all-read by POST with a
CSRF token, links to the case, and a query count that does not grow with the inbox."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.events import Event
from notifications.models import Notification
from notifications.publish import notify

pytestmark = pytest.mark.django_db

INBOX = reverse("notifications:inbox")


def _notify(user, n=1, event=Event.FOLLOW_UP_DUE):
    with transaction.atomic():
        return [
            notify(
                recipient=user,
                event=event,
                params={"case": f"EFOP/{i:04d}"},
                url=f"/cases/{i + 1}/",
            )
            for i in range(n)
        ]


@pytest.fixture
def mentor_client(world, client):
    client.force_login(world.mentor)
    return client


def _csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _token(client) -> str:
    client.get(INBOX)
    return client.cookies["csrftoken"].value


def test_the_inbox_lists_only_the_users_own_notifications_newest_first(world, mentor_client):
    own = _notify(world.mentor, 2)
    foreign = _notify(world.mentor2, event=Event.PLAN_RETURNED)[0]
    response = mentor_client.get(INBOX)
    assert response.status_code == 200
    listed = [n.pk for n in response.context["page"].object_list]
    assert listed == [own[1].pk, own[0].pk]
    html = response.content.decode()
    assert foreign.title not in html
    assert f'href="{own[0].url}"' in html
    assert response.context["unread"] == 2


def test_the_inbox_needs_a_login(world, client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_inbox_query_count_does_not_grow_with_the_number_of_notifications(world, mentor_client):
    _notify(world.mentor, 2)
    with CaptureQueriesContext(connection) as few:
        assert mentor_client.get(INBOX).status_code == 200
    _notify(world.mentor, 25)
    with CaptureQueriesContext(connection) as many:
        assert mentor_client.get(INBOX).status_code == 200
    assert len(many) == len(few)


def test_the_inbox_is_paginated(world, mentor_client):
    _notify(world.mentor, 35)
    first = mentor_client.get(INBOX)
    assert len(first.context["page"].object_list) == 30
    second = mentor_client.get(INBOX, {"page": 2})
    assert len(second.context["page"].object_list) == 5


def test_mark_read_marks_one_own_notification_and_returns_to_the_inbox(world, mentor_client):
    first, second = _notify(world.mentor, 2)
    response = mentor_client.post(reverse("notifications:mark_read", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == INBOX
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.unread, second.unread) == (False, True)


def test_mark_read_answers_json_to_a_script(world, mentor_client):
    first, _second = _notify(world.mentor, 2)
    response = mentor_client.post(
        reverse("notifications:mark_read", args=[first.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.json() == {"unread_count": 1}


def test_another_users_notification_answers_404_and_stays_unread(world, mentor_client):
    (foreign,) = _notify(world.mentor2)
    response = mentor_client.post(reverse("notifications:mark_read", args=[foreign.pk]))
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.unread


def test_mark_read_refuses_get(world, mentor_client):
    (own,) = _notify(world.mentor)
    assert mentor_client.get(reverse("notifications:mark_read", args=[own.pk])).status_code == 405


def test_mark_read_and_mark_all_read_need_the_csrf_token(world):
    own = _notify(world.mentor, 2)
    client = _csrf_client(world.mentor)
    assert client.post(reverse("notifications:mark_read", args=[own[0].pk])).status_code == 403
    assert client.post(reverse("notifications:mark_all_read")).status_code == 403
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    token = _token(client)
    response = client.post(
        reverse("notifications:mark_read", args=[own[0].pk]), {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_mark_all_read_marks_only_the_users_own(world, mentor_client):
    _notify(world.mentor, 3)
    _notify(world.mentor2, 2)
    response = mentor_client.post(reverse("notifications:mark_all_read"), follow=True)
    assert response.status_code == 200
    assert "3 notifications marked as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=world.mentor, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=world.mentor2, read_at__isnull=True).count() == 2


def test_mark_read_goes_back_to_a_local_next_page_but_never_to_another_site(world, mentor_client):
    first, second = _notify(world.mentor, 2)
    url = reverse("notifications:mark_read", args=[first.pk])
    assert mentor_client.post(url, {"next": "/notifications/?page=1"})["Location"] == (
        "/notifications/?page=1"
    )
    url = reverse("notifications:mark_read", args=[second.pk])
    assert mentor_client.post(url, {"next": "https://evil.example/"})["Location"] == INBOX


def test_the_mark_read_buttons_show_only_for_unread_notifications(world, mentor_client):
    first, second = _notify(world.mentor, 2)
    mentor_client.post(reverse("notifications:mark_read", args=[first.pk]))
    html = mentor_client.get(INBOX).content.decode()
    assert html.count('action="/notifications/') == 2  # one mark-read form and mark-all
    assert reverse("notifications:mark_read", args=[second.pk]) in html
    assert reverse("notifications:mark_read", args=[first.pk]) not in html


def test_every_page_has_the_bell_with_its_strings_and_no_extra_query(world, mentor_client):
    response = mentor_client.get(reverse("casework:home"))
    html = response.content.decode()
    assert 'id="notification-bell"' in html
    assert 'data-ws-path="/ws/notifications/"' in html
    assert 'aria-live="polite"' in html
    assert "lepes/notifications.js" in html
    assert not any("notifications_notification" in q["sql"] for q in _queries(mentor_client))


def _queries(client):
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("casework:home"))
    return captured.captured_queries
