"""The kept minutes stay equal to the lines when two transactions change them at once: the
sheet triggers share-lock the sessions, cases and clients their lines count under, so a client
who moves while a sheet is being written waits for it (and then moves its lines too) instead of
leaving them under the old settlement."""

import threading

import pytest
from django.db import connection, transaction

from casework.models import Attendance, Client, Session
from reporting import kept

from .test_kept__attended_minutes import LAST_MONTH, active_case, kept_minutes

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]


def test_a_client_moving_while_a_sheet_is_written_waits_and_takes_its_minutes(world):
    case = active_case(world, "Ózd")
    session = Session.objects.create(
        organisation=world.org,
        kind="training",
        format="group",
        topic="T",
        held_on=LAST_MONTH,
        duration_minutes=90,
        facilitator=world.mentor,
    )
    sheet_written, move_started = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def write_sheet():
        try:
            with transaction.atomic():
                # Straight into the table, as an import would: no service locks the client.
                Attendance.objects.bulk_create([Attendance(session=session, case=case)])
                sheet_written.set()
                move_started.wait(timeout=10)
                # The move must now be waiting for this transaction; give it time to try.
                threading.Event().wait(0.5)
        except BaseException as error:  # reported by the test
            failures.append(error)
        finally:
            connection.close()

    def move_client():
        try:
            sheet_written.wait(timeout=10)
            move_started.set()
            with transaction.atomic():
                Client.objects.filter(pk=case.client_id).update(settlement="Putnok")
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write_sheet), threading.Thread(target=move_client)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    assert failures == []
    assert kept_minutes() == {
        (world.org.pk, "Putnok", LAST_MONTH.replace(day=1), "training"): (90, 1)
    }
    assert kept.differences() == []
