"""On PostgreSQL, writers of different cases never wait for each other's chain, and writers of
one case queue on its chain head: every chain stays gap-free under concurrent load.

Skipped on SQLite, which serialises whole transactions instead of locking rows."""

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from audit import verify
from audit.models import ChainHead, ChainLink
from casework import services
from privacy import services as privacy_services
from privacy.models import Purpose
from tests.conftest import new_client

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]


def open_cases(world, count):
    cases = []
    for n in range(count):
        client = new_client(world, family_name=f"Concurrent{n}")
        cases.append(
            services.case_open(
                user=world.worker, client_id=client.pk, programme_id=world.programme.pk
            )
        )
    return cases


def test_a_writer_holding_one_case_chain_does_not_block_another_case(world):
    first, second = open_cases(world, 2)
    holding = threading.Event()
    release = threading.Event()
    finished = {}

    def hold_first_case_chain():
        try:
            with transaction.atomic():
                services.case_record_consent(
                    user=get_user_model().objects.get(pk=world.worker.pk),
                    case_id=first.pk,
                    given_on=first.opened_on,
                )
                holding.set()
                release.wait(timeout=20)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_first_case_chain)
    holder.start()
    assert holding.wait(timeout=20)
    started = time.monotonic()
    try:
        services.case_record_consent(
            user=world.worker, case_id=second.pk, given_on=second.opened_on
        )
        finished["second"] = time.monotonic() - started
    finally:
        release.set()
        holder.join(timeout=20)

    assert finished["second"] < 5  # did not wait for the first transaction to end
    for case in (first, second):
        head = ChainHead.objects.get(key=f"case:{case.pk}")
        seqs = ChainLink.objects.filter(head=head).order_by("seq").values_list("seq", flat=True)
        assert list(seqs) == [1, 2]
    assert verify.verify().ok


def test_concurrent_writers_on_one_case_queue_and_leave_a_gap_free_chain(world):
    (case,) = open_cases(world, 1)
    # A referral to the labour office needs the client's consent to share with it (privacy).
    privacy_services.consent_record(
        user=world.worker,
        case=case,
        purpose=Purpose.PARTNER_SHARING,
        partner=world.labour_office,
        given_on=timezone.localdate(),
    )
    before = ChainHead.objects.get(key=f"case:{case.pk}").seq
    errors = []
    barrier = threading.Barrier(6)

    def write(n):
        try:
            user = get_user_model().objects.get(pk=world.worker.pk)
            barrier.wait(timeout=10)
            services.client_update(user=user, client_id=case.client_id, data={"phone": str(n)})
            services.referral_create(
                user=user, case_id=case.pk, partner_id=world.labour_office.pk, purpose=f"R{n}"
            )
        except Exception as error:  # the assertion below names it
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    head = ChainHead.objects.get(key=f"case:{case.pk}")
    seqs = list(ChainLink.objects.filter(head=head).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, head.seq + 1))
    assert head.seq == before + 6  # six referrals after what the case had
    report = verify.verify()
    assert report.ok, [problem.describe() for problem in report.problems]
