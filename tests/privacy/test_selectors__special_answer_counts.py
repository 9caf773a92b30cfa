"""Aggregate counts of a special category for funder reports, with small cells suppressed."""

import pytest

from casework.models import Client
from privacy.models import SpecialCategoryRecord
from privacy.selectors import special_answer_counts as answer_counts

from ..conftest import new_client

pytestmark = pytest.mark.django_db


def special_answer_counts(*, category, clients):
    return answer_counts(categories=[category], clients=clients)[category]


def _clients(world, answers):
    for n, answer in enumerate(answers):
        client = new_client(world, family_name=f"C{n}")
        if answer:
            SpecialCategoryRecord.objects.create(client=client, category="ethnicity", answer=answer)
    return Client.objects.all()


def test_counts_each_answer_and_the_clients_without_a_record(world, django_assert_num_queries):
    clients = _clients(world, ["yes"] * 6 + ["no"] * 5 + ["declined"] * 7 + [None] * 8)
    with django_assert_num_queries(2):
        counts = special_answer_counts(category="ethnicity", clients=clients)
    assert counts == {"yes": 6, "no": 5, "declined": 7, "not_recorded": 8}


def test_a_small_cell_is_suppressed_with_the_next_smallest_so_the_total_cannot_reveal_it(world):
    clients = _clients(world, ["yes"] * 2 + ["no"] * 9 + ["declined"] * 6)
    counts = special_answer_counts(category="ethnicity", clients=clients)
    assert counts == {"yes": None, "no": 9, "declined": None, "not_recorded": 0}


def test_two_small_cells_hide_each_other_and_zero_is_shown(world):
    clients = _clients(world, ["yes"] * 1 + ["no"] * 3 + [None] * 10)
    counts = special_answer_counts(category="ethnicity", clients=clients)
    assert counts == {"yes": None, "no": None, "declined": 0, "not_recorded": 10}


def test_a_small_cell_among_zeros_is_hidden_with_a_zero_so_the_participant_count_cannot_reveal_it(
    world,
):
    # Three participants, all answering yes: the published participant count (3) minus the
    # zeros would be the hidden cell.
    clients = _clients(world, ["yes"] * 3)
    counts = special_answer_counts(category="ethnicity", clients=clients)
    assert counts["yes"] is None
    assert list(counts.values()).count(None) == 2
    assert set(counts.values()) == {None, 0}


def test_no_participants_show_zeros(world):
    counts = special_answer_counts(category="ethnicity", clients=Client.objects.none())
    assert counts == {"yes": 0, "no": 0, "declined": 0, "not_recorded": 0}


def test_each_category_is_counted_and_suppressed_on_its_own_in_the_same_two_queries(
    world, django_assert_num_queries
):
    clients = _clients(world, ["yes"] * 6 + ["no"] * 2 + [None] * 7)
    for client in clients.order_by("pk")[:9]:
        SpecialCategoryRecord.objects.create(client=client, category="disability", answer="no")
    with django_assert_num_queries(2):
        counts = answer_counts(categories=["ethnicity", "disability"], clients=clients)
    assert counts == {
        # Two "no" are suppressed, and the next smallest (six "yes") with them.
        "ethnicity": {"yes": None, "no": None, "declined": 0, "not_recorded": 7},
        "disability": {"yes": 0, "no": 9, "declined": 0, "not_recorded": 6},
    }


def test_no_category_asks_nothing(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert answer_counts(categories=[], clients=Client.objects.all()) == {}
