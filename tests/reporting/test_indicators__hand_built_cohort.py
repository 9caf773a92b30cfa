"""Every indicator on a small cohort built through the real services, against values worked out
by hand: who counts as a participant and from when, one person with two cases, hours of each
kind, screenings, placements, answered referrals, events and their attendees (clients and
guests apart, a participant who attends counted as an attendee too)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from casework import services
from casework.models import Programme
from community import services as community
from reporting.indicators import INDICATORS, Scope

from ..conftest import new_client
from ..journey import approve_plan, complete_intake

TODAY = timezone.localdate()


def _participant(world, *, agreed_on=TODAY, **client):
    person = new_client(world, **client)
    # Opened (on paper) before the plan was signed: nothing about a case predates it.
    case = services.case_open(
        user=world.worker,
        client_id=person.pk,
        programme_id=world.programme.pk,
        opened_on=agreed_on - datetime.timedelta(days=14),
    )
    complete_intake(case, world)
    services.plan_save(
        user=world.mentor, case_id=case.pk, summary="Goals", client_agreed_on=agreed_on
    )
    return case


@pytest.fixture
def cohort(world):
    """Three participants in Ózd (one signed a week ago), one client without a signed plan, a
    forum with two clients and two guests, a workshop with one guest."""
    signed_earlier = _participant(
        world, family_name="Kiss", settlement="Ózd", agreed_on=TODAY - datetime.timedelta(days=7)
    )
    second = _participant(world, family_name="Nagy", settlement="Ózd")
    third = _participant(world, family_name="Tóth", settlement="Putnok")
    not_yet = new_client(world, family_name="Horváth", settlement="Ózd")
    services.case_open(user=world.worker, client_id=not_yet.pk, programme_id=world.programme.pk)
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
        client_ids=[signed_earlier.client_id, not_yet.pk],
        guests=[("Polgármester", "Ózd"), ("Kisebbségi önkormányzat", "Ózd")],
    )
    workshop = community.event_create(
        user=world.worker,
        programme_id=world.programme.pk,
        kind="workshop",
        title="Műhely",
        settlement="Putnok",
        held_on=TODAY,
    )
    community.event_record_attendance(
        user=world.worker, event_id=workshop.pk, client_ids=[], guests=[("Vendég", "Putnok")]
    )
    return {"signed_earlier": signed_earlier, "second": second, "third": third}


def _value(code, world, *, as_of=TODAY, organisations=None):
    scope = Scope(
        programme=Programme.objects.get(pk=world.programme.pk),
        as_of=as_of,
        organisation_ids=organisations,
    )
    return INDICATORS[code].total(scope), INDICATORS[code].by_place(scope)


@pytest.mark.django_db
def test_participants_are_clients_with_a_signed_plan_counted_from_the_signature(world, cohort):
    total, places = _value("participants", world)
    assert total == 3
    assert places == {(world.org.pk, "Ózd"): 2, (world.org.pk, "Putnok"): 1}
    yesterday = TODAY - datetime.timedelta(days=1)
    assert _value("participants", world, as_of=yesterday)[0] == 1  # only the earlier signature


@pytest.mark.django_db
def test_a_person_with_two_cases_is_one_participant(world, cohort):
    case = cohort["second"]
    services.case_close_early(
        user=world.worker, case_id=case.pk, outcome="moved_away", reason="Moved"
    )
    again = services.case_open(
        user=world.worker, client_id=case.client_id, programme_id=world.programme.pk
    )
    complete_intake(again, world)
    services.plan_save(user=world.mentor, case_id=again.pk, summary="Again", client_agreed_on=TODAY)
    assert _value("participants", world)[0] == 3


@pytest.mark.django_db
def test_session_hours_count_attended_sessions_of_each_kind(world, cohort):
    case = cohort["signed_earlier"]
    approve_plan(case, world)
    for kind, minutes, present in [
        ("training", 90, True),
        ("training", 60, False),
        ("counselling", 45, True),
        ("counselling", 30, True),
    ]:
        services.session_record(
            user=world.mentor,
            kind=kind,
            format="individual",
            topic="T",
            held_on=TODAY,
            duration_minutes=minutes,
            attendance={case.pk: present},
        )
    assert _value("training_hours", world)[0] == Decimal("1.5")  # the absent hour is not counted
    assert _value("counselling_hours", world)[0] == Decimal("1.3")  # 75 minutes


@pytest.mark.django_db
def test_events_and_their_attendees_are_counted_as_the_attendance_sheets_count(world, cohort):
    assert _value("forums", world)[0] == 1
    assert _value("forum_locations", world)[0] == 1
    assert _value("events", world)[0] == 2
    assert _value("event_attendance", world)[0] == 5
    # The participant who attended is an attendee too, and still one participant.
    assert _value("event_clients", world)[0] == 2
    total, places = _value("event_guests", world)
    assert total == 3
    assert places == {(world.org.pk, "Ózd"): 2, (world.org.pk, "Putnok"): 1}


@pytest.mark.django_db
def test_another_organisations_scope_counts_none_of_these_records(world, cohort):
    for code in INDICATORS:
        total, places = _value(code, world, organisations=frozenset({world.other_org.pk}))
        assert (total, places) == (0, {}), code


@pytest.mark.django_db
def test_the_cumulative_value_stands_at_each_day_asked_in_one_query(
    world, cohort, django_assert_num_queries
):
    scope = Scope(programme=Programme.objects.get(pk=world.programme.pk), as_of=TODAY)
    days = [TODAY - datetime.timedelta(days=30), TODAY - datetime.timedelta(days=7), TODAY]
    with django_assert_num_queries(1):
        values = INDICATORS["participants"].cumulative(scope, days)
    assert values == [0, 1, 3]


def test_month_ends_run_from_the_start_month_to_the_report_day():
    from reporting.selectors import month_ends

    assert month_ends(datetime.date(2026, 11, 15), datetime.date(2027, 2, 10)) == [
        datetime.date(2026, 11, 30),
        datetime.date(2026, 12, 31),
        datetime.date(2027, 1, 31),
        datetime.date(2027, 2, 10),
    ]
