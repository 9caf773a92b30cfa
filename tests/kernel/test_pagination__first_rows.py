"""first_rows: the first rows of a list, cut before the joins, are the rows a slice gives."""

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext

from casework import services
from casework.models import Case, Client, FollowUp
from kernel.pagination import first_rows

from ..conftest import new_client


@pytest.fixture
def cases(world):
    opened = []
    for n in range(7):
        client = new_client(world, family_name=f"Első{n % 3}")
        opened.append(
            services.case_open(
                user=world.worker, client_id=client.pk, programme_id=world.programme.pk
            )
        )
    return opened


def _by_family_name():
    # Three family names over seven cases: rows tie on the list's order.
    return Case.objects.select_related("client", "programme").order_by("client__family_name")


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [0, 1, 3, 5, 7, 20])
def test_the_rows_are_those_of_the_slice_ties_broken_by_key(cases, limit):
    expected = list(_by_family_name().order_by("client__family_name", "pk")[:limit])
    assert [case.pk for case in first_rows(_by_family_name(), limit)] == [
        case.pk for case in expected
    ]


@pytest.mark.django_db
def test_a_list_in_its_models_own_order_keeps_it(world, cases):
    # Client's Meta.ordering is by name; first_rows gets no order_by of its own.
    expected = list(Client.objects.order_by(*Client._meta.ordering, "pk")[:4])
    assert Client._meta.ordering
    assert [client.pk for client in first_rows(Client.objects.all(), 4)] == [
        client.pk for client in expected
    ]


@pytest.mark.django_db
def test_the_filters_of_the_list_hold(cases):
    listing = _by_family_name().filter(client__family_name="Első1")
    rows = first_rows(listing, 20)
    assert {case.client.family_name for case in rows} == {"Első1"}
    assert len(rows) == 2


@pytest.mark.django_db
def test_one_statement_brings_the_joined_and_prefetched_rows(cases):
    listing = _by_family_name().prefetch_related(
        Prefetch("follow_ups", queryset=FollowUp.objects.order_by("due_on"))
    )
    with CaptureQueriesContext(connection) as captured:
        rows = first_rows(listing, 3)
    # The rows with their joins, and the one prefetch.
    assert len(captured.captured_queries) == 2
    with CaptureQueriesContext(connection) as afterwards:
        shown = [
            (case.client.family_name, case.programme.name, list(case.follow_ups.all()))
            for case in rows
        ]
    assert afterwards.captured_queries == []
    assert [name for name, _, _ in shown] == ["Első0", "Első0", "Első0"]
