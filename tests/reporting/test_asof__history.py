"""The indicators rebuilt from the history tables count what today's indicators count when
nothing changed since the moment asked, and what the records said then when something did."""

import datetime

import pytest
from django.utils import timezone

from casework import services
from casework.journey import Stage
from casework.models import Attendance, Programme
from community import services as community
from reporting import asof
from reporting.indicators import INDICATORS, Scope

from ..conftest import new_client
from ..journey import complete_intake, to_stage

TODAY = timezone.localdate()


def _participant(world, settlement, agreed_on=TODAY):
    case = services.case_open(
        user=world.worker,
        client_id=new_client(world, settlement=settlement).pk,
        programme_id=world.programme.pk,
        # Opened (on paper) on the programme's first day: no date in this test predates it.
        opened_on=world.programme.starts_on,
    )
    complete_intake(case, world)
    services.plan_save(
        user=world.mentor, case_id=case.pk, summary="Goals", client_agreed_on=agreed_on
    )
    return case


@pytest.fixture
def cohort(world):
    """Three participants in two places, one through to follow-up (employed at exit), one
    screened, a counselling session, an answered referral, a forum with a client and guests."""
    placed = _participant(world, "Ózd", TODAY - datetime.timedelta(days=3))
    screened = _participant(world, "Putnok")
    _participant(world, "Ózd")
    to_stage(placed, world, Stage.FOLLOW_UP)
    to_stage(screened, world, Stage.SCREENING)
    services.screening_record(
        user=world.mentor, case_id=screened.pk, status="done", screened_on=TODAY
    )
    services.session_record(
        user=world.mentor,
        kind="counselling",
        format="individual",
        topic="C",
        held_on=TODAY,
        duration_minutes=45,
        attendance={screened.pk: True},
    )
    referral = services.referral_create(
        user=world.worker, case_id=placed.pk, partner_id=world.labour_office.pk, purpose="Job"
    )
    services.referral_record_answer(
        user=world.worker, referral_id=referral.pk, answer="Registered", answered_on=TODAY
    )
    forum = community.event_create(
        user=world.worker,
        programme_id=world.programme.pk,
        kind="forum",
        title="Fórum",
        settlement="Ózd",
        held_on=TODAY,
    )
    community.event_record_attendance(
        user=world.worker,
        event_id=forum.pk,
        client_ids=[placed.client_id],
        guests=[("Polgármester", "Ózd"), ("Vendég", "Putnok")],
    )
    return {"placed": placed, "screened": screened}


def _scope(world, as_of=TODAY, organisations=None):
    return Scope(
        programme=Programme.objects.get(pk=world.programme.pk),
        as_of=as_of,
        organisation_ids=organisations,
    )


@pytest.mark.django_db
def test_every_rebuildable_indicator_counts_what_todays_indicator_counts(world, cohort):
    now = timezone.now()
    for as_of in (TODAY, TODAY - datetime.timedelta(days=1)):
        for organisations in (None, frozenset({world.org.pk}), frozenset({world.other_org.pk})):
            scope = _scope(world, as_of, organisations)
            for code in asof.PAST:
                live = INDICATORS[code]
                assert asof.total_at(code, scope, now) == live.total(scope), (code, as_of)
                assert asof.by_place_at(code, scope, now) == live.by_place(scope), (code, as_of)
    # The cohort is not empty where it matters: every indicator has a value today.
    scope = _scope(world)
    assert {
        code: asof.total_at(code, scope, now)
        for code in asof.PAST
        if not asof.total_at(code, scope, now)
    } == {}


@pytest.mark.django_db
def test_a_moment_before_a_correction_counts_the_records_as_they_were(world, cohort):
    screened = cohort["screened"]
    before = timezone.now()
    services.attendance_set(
        user=world.mentor,
        attendance_id=Attendance.objects.get(case=screened, session__kind="counselling").pk,
        present=False,
    )
    services.client_update(
        user=world.worker, client_id=screened.client_id, data={"settlement": "Miskolc"}
    )
    scope = _scope(world)
    assert INDICATORS["counselling_hours"].total(scope) == 0
    assert asof.by_place_at("counselling_hours", scope, before) == {
        (world.org.pk, "Putnok"): INDICATORS["counselling_hours"].measure.convert(45)
    }
    assert asof.by_place_at("participants", scope, before) == {
        (world.org.pk, "Ózd"): 2,
        (world.org.pk, "Putnok"): 1,
    }
    assert asof.by_place_at("participants", scope, timezone.now())[(world.org.pk, "Miskolc")] == 1


@pytest.mark.django_db
def test_records_made_after_the_moment_are_not_counted(world):
    before = timezone.now()
    _participant(world, "Ózd")
    scope = _scope(world)
    assert asof.total_at("participants", scope, before) == 0
    assert asof.total_at("participants", scope, timezone.now()) == 1


def test_indicators_the_history_cannot_rebuild_are_said_so():
    assert asof.supports("participants")
    assert not asof.supports("no_such_indicator")
