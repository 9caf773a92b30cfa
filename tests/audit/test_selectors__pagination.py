"""Keyset pages cover every entry exactly once, forwards and backwards, workflow task events
included; filters narrow by user, dates, record type and stage."""

import datetime

import pytest
from django.utils import timezone

from audit import selectors
from audit.selectors import Filters

from .support import busy_case


@pytest.fixture
def busy(world, case):
    return busy_case(case, world)


def walk_older(user, case, size, filters=None):
    filters = filters or Filters()
    pages, page = [], selectors.timeline(user=user, case=case, size=size, filters=filters)
    pages.append(page)
    while page.older:
        page = selectors.timeline(
            user=user, case=case, size=size, filters=filters, before=page.older
        )
        pages.append(page)
    return pages


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 7, 25])
def test_pages_cover_every_entry_exactly_once(busy, world, size):
    everything = selectors.timeline(user=world.supervisor, case=busy, size=10_000).entries
    pages = walk_older(world.supervisor, busy, size)

    keys = [entry.key for page in pages for entry in page.entries]
    assert len(keys) == len(set(keys))
    assert keys == [entry.key for entry in everything]
    assert any(key.startswith("t") for key in keys)  # task events are placed on pages too


@pytest.mark.django_db
def test_walking_back_with_newer_returns_the_same_pages(busy, world):
    forward = walk_older(world.supervisor, busy, 10)
    page = forward[-1]
    backward = [page]
    while page.newer:
        page = selectors.timeline(user=world.supervisor, case=busy, size=10, after=page.newer)
        backward.append(page)

    assert [[e.key for e in p.entries] for p in reversed(backward)] == [
        [e.key for e in p.entries] for p in forward
    ]


@pytest.mark.django_db
def test_filters_narrow_the_timeline(busy, world):
    def entries(**criteria):
        return selectors.timeline(
            user=world.supervisor, case=busy, size=10_000, filters=Filters(**criteria)
        ).entries

    assert {e.user_id for e in entries(user_id=world.worker.pk)} == {world.worker.pk}
    assert {e.record_type for e in entries(record_type="referral")} == {"referral"}
    assert {e.record_type for e in entries(record_type="task")} == {"task"}
    assert {e.stage for e in entries(stage="training")} == {"training"}
    today = timezone.localdate()
    assert len(entries(date_from=today, date_to=today)) == len(entries())
    assert entries(date_to=today - datetime.timedelta(days=1)) == []


@pytest.mark.django_db
def test_a_malformed_cursor_is_ignored(busy, world, client):
    from django.urls import reverse

    client.force_login(world.supervisor)
    url = reverse("audit:case_timeline", args=[busy.pk])
    assert client.get(url + "?before=nonsense&after=1.x").status_code == 200
    assert selectors.Cursor.parse("12.34") == selectors.Cursor(selectors.from_micros(12), 34)
