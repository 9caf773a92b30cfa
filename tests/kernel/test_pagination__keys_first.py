"""KeysFirstPaginator: a page read as its keys, then its rows, is the page one statement gives."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import services
from casework.models import Case
from kernel.pagination import KeysFirstPaginator

from ..conftest import new_client


@pytest.fixture
def cases(world):
    opened = []
    for n in range(7):
        client = new_client(world, family_name=f"Lapozó{n}")
        opened.append(
            services.case_open(
                user=world.worker, client_id=client.pk, programme_id=world.programme.pk
            )
        )
    return opened


def _listing():
    return Case.objects.select_related("client", "programme").order_by("-id")


@pytest.mark.django_db
@pytest.mark.parametrize("number", [1, 2, 3])
def test_every_page_holds_the_rows_one_statement_gives_in_the_same_order(cases, number):
    expected = Paginator(_listing(), 3).page(number)
    page = KeysFirstPaginator(_listing(), 3).page(number)
    assert [case.pk for case in page] == [case.pk for case in expected]
    assert (page.has_next(), page.has_previous(), page.paginator.num_pages) == (
        expected.has_next(),
        expected.has_previous(),
        3,
    )


@pytest.mark.django_db
def test_the_rows_come_with_their_joined_rows_in_the_second_statement(cases):
    with CaptureQueriesContext(connection) as captured:
        page = KeysFirstPaginator(_listing(), 3).page(1)
        names = [(case.client.family_name, case.programme.name) for case in page]
    # The count, the keys, the rows with their joins: nothing per row.
    assert len(captured.captured_queries) == 3
    assert names[0][0] == "Lapozó6"


@pytest.mark.django_db
def test_an_empty_list_reads_no_rows(world):
    with CaptureQueriesContext(connection) as captured:
        page = KeysFirstPaginator(_listing().filter(pk__in=[]), 3).get_page(1)
        assert list(page) == []
    assert len(captured.captured_queries) <= 2  # the count, the keys; never the rows


@pytest.mark.django_db
def test_a_row_that_leaves_the_list_between_the_two_statements_is_left_off(cases, monkeypatch):
    listing = _listing().filter(client__family_name__startswith="Lapozó")
    paginator = KeysFirstPaginator(listing, 3)
    leaving = cases[-1]
    original = KeysFirstPaginator.rows_by_key

    def rename_after_the_keys_are_read(self, keys):
        assert leaving.pk in keys
        leaving.client.family_name = "Máshol"
        leaving.client.save()
        return original(self, keys)

    monkeypatch.setattr(KeysFirstPaginator, "rows_by_key", rename_after_the_keys_are_read)
    page = paginator.page(1)
    assert leaving.pk not in [case.pk for case in page]
    assert len(page) == 2
