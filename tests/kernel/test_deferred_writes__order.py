"""Deferred writes (kernel/deferred_writes.py) ride with the next write on PostgreSQL, and the
database ends up exactly as if each had been sent at once: read back in the service, kept
before a rolled-back savepoint, undone inside one, dropped with a failed service."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kernel import deferred_writes
from kernel.services import service

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite sends them at once"),
]

KEPT, CARRIER = "deferred_kept", "deferred_carrier"


@pytest.fixture
def tables():
    with connection.cursor() as cursor:
        for table in (KEPT, CARRIER):
            cursor.execute(f'CREATE TEMP TABLE "{table}" (value integer)')


def kept(value: int) -> None:
    deferred_writes.defer((f'INSERT INTO "{KEPT}" (value) VALUES (%s)', [value]), tables={KEPT})


def carry(value: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{CARRIER}" (value) VALUES (%s)', [value])


def values(table: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT value FROM "{table}" ORDER BY value')
        return [row[0] for row in cursor.fetchall()]


def test_a_deferred_write_rides_with_the_next_write_in_one_statement(tables):
    @service
    def work():
        with CaptureQueriesContext(connection) as captured:
            kept(1)
            carry(10)
        return len(captured.captured_queries)

    assert work() == 1
    assert values(KEPT) == [1]
    assert values(CARRIER) == [10]


def test_a_second_write_to_the_same_table_sends_the_first_on_its_own(tables):
    """Two changes of one table in one statement could touch the same row, and PostgreSQL
    leaves undefined which wins."""

    @service
    def work():
        with CaptureQueriesContext(connection) as captured:
            kept(1)
            kept(2)
            carry(10)
        return len(captured.captured_queries)

    assert work() == 2
    assert values(KEPT) == [1, 2]


def test_reading_a_deferred_table_sends_the_writes_first(tables):
    @service
    def work():
        kept(1)
        return values(KEPT)

    assert work() == [1]


def test_what_is_pending_at_the_service_end_is_written_before_commit(tables):
    @service
    def work():
        kept(7)

    work()
    assert values(KEPT) == [7]


def test_a_write_deferred_before_a_rolled_back_savepoint_is_kept(tables):
    @service
    def work():
        kept(1)
        try:
            with transaction.atomic():
                carry(5)
                raise RuntimeError
        except RuntimeError:
            pass

    work()
    assert values(KEPT) == [1]
    assert values(CARRIER) == []


def test_a_write_deferred_inside_a_rolled_back_savepoint_is_undone(tables):
    @service
    def work():
        try:
            with transaction.atomic():
                kept(1)
                raise RuntimeError
        except RuntimeError:
            pass
        carry(5)

    work()
    assert values(KEPT) == []
    assert values(CARRIER) == [5]


def test_a_failed_service_leaves_nothing_for_the_next_statement(tables):
    @service
    def failing():
        kept(1)
        raise RuntimeError

    with transaction.atomic():  # the service's own savepoint rolls back, this one stays
        with pytest.raises(RuntimeError):
            failing()
        carry(3)
    assert values(KEPT) == []
    assert values(CARRIER) == [3]
    assert not connection.execute_wrappers


def test_outside_a_service_the_write_is_sent_at_once(tables):
    with CaptureQueriesContext(connection) as captured:
        kept(4)
    assert len(captured.captured_queries) == 1
    assert values(KEPT) == [4]


def test_an_execute_wrapper_context_inside_the_service_keeps_its_own_wrapper(tables):
    seen = []

    def watch(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    @service
    def work():
        with connection.execute_wrapper(watch):
            kept(1)
        assert watch not in connection.execute_wrappers
        carry(2)

    work()
    assert values(KEPT) == [1] and values(CARRIER) == [2]
    assert not connection.execute_wrappers
