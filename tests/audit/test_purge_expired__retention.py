"""``manage.py purge_expired``: a dry run reports, ``--apply`` erases the clients whose funder's
retention hold has ended, and nobody earlier. The clock is shifted past the hold."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit import verify
from casework import services
from casework.journey import Stage
from casework.models import Client
from privacy import services as privacy_services
from privacy.models import (
    RightsRequest,
    RightsRequestKind,
    RightsRequestOrigin,
    RightsRequestStatus,
)
from tests.conftest import new_client
from tests.journey import TODAY, to_stage
from tests.privacy.rights_support import FAMILY, planted_case

# The factory's programme ends on 2028-12-31 and is held 10 years.
HOLD_ENDS = datetime.date(2038, 12, 31)


def _shift_clock(monkeypatch, day: datetime.date) -> None:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    monkeypatch.setattr(timezone, "now", lambda: moment)


def _purge(*args) -> str:
    out = io.StringIO()
    call_command("purge_expired", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def closed_and_open(world):
    closed = planted_case(world)
    other = new_client(world, family_name="Nyitott", given_name="Eset")
    still_open = services.case_open(
        user=world.worker, client_id=other.pk, programme_id=world.programme.pk
    )
    to_stage(still_open, world, Stage.PLANNING)
    return closed, still_open


@pytest.mark.django_db
def test_nothing_is_due_while_the_hold_applies(world, closed_and_open, monkeypatch):
    _shift_clock(monkeypatch, HOLD_ENDS)

    report = _purge()

    assert "would erase 0 client(s)" in report


@pytest.mark.django_db
def test_a_dry_run_reports_the_closed_case_past_its_hold_and_changes_nothing(
    world, closed_and_open, monkeypatch
):
    closed, still_open = closed_and_open
    _shift_clock(monkeypatch, HOLD_ENDS + datetime.timedelta(days=1))

    report = _purge()

    assert "would erase 1 client(s)" in report
    assert closed.number in report and "hold ended 2038-12-31" in report
    assert still_open.number not in report
    assert FAMILY not in report
    assert Client.objects.get(pk=closed.client_id).family_name == FAMILY
    assert not RightsRequest.objects.filter(status=RightsRequestStatus.ERASED).exists()


@pytest.mark.django_db
def test_apply_erases_past_the_hold_records_why_and_keeps_the_chains(
    world, closed_and_open, monkeypatch
):
    closed, still_open = closed_and_open
    _shift_clock(monkeypatch, HOLD_ENDS + datetime.timedelta(days=1))

    report = _purge("--apply", "--user", world.supervisor.username)

    assert "erasing 1 client(s)" in report and ": erased" in report
    assert Client.objects.get(pk=closed.client_id).family_name == "—"
    assert Client.objects.get(pk=still_open.client_id).family_name == "Nyitott"
    erased = RightsRequest.objects.get(case=closed, status=RightsRequestStatus.ERASED)
    assert erased.origin == RightsRequestOrigin.RETENTION
    assert erased.erased_at.date() == HOLD_ENDS + datetime.timedelta(days=1)
    assert verify.verify().ok
    assert "would erase 0 client(s)" in _purge()  # done once, not again


@pytest.mark.django_db
def test_apply_needs_the_name_it_records_the_erasure_under(world, closed_and_open):
    with pytest.raises(CommandError, match="--user"):
        _purge("--apply")


@pytest.mark.django_db
def test_an_approved_erasure_that_waited_for_the_hold_is_carried_out_by_the_purge(
    world, closed_and_open, monkeypatch
):
    closed, _still_open = closed_and_open
    request = privacy_services.rights_request_record(
        user=world.worker, case=closed, kind=RightsRequestKind.ERASURE, received_on=TODAY
    )
    waiting = privacy_services.rights_request_decide(
        user=world.supervisor, request=request, approve=True
    )
    assert waiting.status == RightsRequestStatus.WAITING
    _shift_clock(monkeypatch, HOLD_ENDS + datetime.timedelta(days=1))

    _purge("--apply", "--user", world.supervisor2.username)

    request.refresh_from_db()
    assert (request.status, request.origin) == (RightsRequestStatus.ERASED, "client")
    assert RightsRequest.objects.filter(status=RightsRequestStatus.ERASED).count() == 1
    assert Client.objects.get(pk=closed.client_id).family_name == "—"
