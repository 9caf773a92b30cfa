"""A signed-in session is renewed at most every SESSION_RENEW_SECONDS (web/sessions.py), not
written on every page, and still ends after SESSION_IDLE_MINUTES without a request."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def session_writes(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum(
        1
        for query in captured.captured_queries
        if query["sql"].startswith('UPDATE "django_session')
    )


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


@pytest.mark.django_db
def test_pages_within_the_interval_write_no_session_row(world, client):
    client.force_login(world.mentor)
    before = expiry(client)
    assert session_writes(client, reverse("casework:home")) == 0
    assert session_writes(client, reverse("casework:case_list")) == 0
    assert expiry(client) == before


@pytest.mark.django_db
def test_a_page_after_the_interval_renews_the_session_and_its_cookie(world, client, settings):
    client.force_login(world.mentor)
    before = expiry(client)
    settings.SESSION_RENEW_SECONDS = 0
    response_writes = session_writes(client, reverse("casework:home"))
    assert response_writes == 1
    assert expiry(client) > before


@pytest.mark.django_db
def test_a_visitor_without_a_session_gets_no_session_row(client):
    assert client.get(reverse("login")).status_code == 200
    assert Session.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_session_cookie_creates_no_session(client):
    client.cookies["sessionid"] = "no-such-session"
    client.get(reverse("login"))
    assert Session.objects.count() == 0
