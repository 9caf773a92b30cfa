"""One grouped pass gives every additive indicator the figures its three queries give, and
indicators that count distinct people keep their own queries."""

import datetime

import pytest
from django.utils import timezone

from casework import services
from casework.models import Programme
from community import services as community
from reporting import passes
from reporting.indicators import INDICATORS, Scope
from reporting.selectors import month_ends

from ..conftest import new_client
from ..journey import approve_plan, complete_intake

TODAY = timezone.localdate()


@pytest.fixture
def records(world):
    """Sessions and events on days in three months and two places."""
    days = [TODAY, TODAY - datetime.timedelta(days=40), TODAY - datetime.timedelta(days=75)]
    cases = []
    for settlement in ("Ózd", "Putnok"):
        case = services.case_open(
            user=world.worker,
            client_id=new_client(world, settlement=settlement).pk,
            programme_id=world.programme.pk,
            # Opened (on paper) on the programme's first day: no date in this test predates it.
            opened_on=world.programme.starts_on,
        )
        complete_intake(case, world)
        services.plan_save(
            user=world.mentor, case_id=case.pk, summary="G", client_agreed_on=days[2]
        )
        approve_plan(case, world)
        cases.append(case)
    for n, day in enumerate(days):
        for kind in ("training", "counselling"):
            services.session_record(
                user=world.mentor,
                kind=kind,
                format="group",
                topic="T",
                held_on=day,
                duration_minutes=45 + 15 * n,
                attendance={cases[0].pk: True, cases[1].pk: n != 1},
            )
        event = community.event_create(
            user=world.worker,
            programme_id=world.programme.pk,
            kind="forum" if n else "club",
            title="E",
            settlement=["Ózd", "Putnok", "Ózd"][n],
            held_on=day,
        )
        community.event_record_attendance(
            user=world.worker,
            event_id=event.pk,
            client_ids=[cases[0].client_id],
            guests=[("G", "Ózd")] * (n + 1),
        )


@pytest.mark.django_db
@pytest.mark.parametrize("organisations", [None, "own", "other"])
def test_one_pass_gives_the_figures_of_the_three_queries(world, records, organisations):
    ids = {None: None, "own": frozenset({world.org.pk}), "other": frozenset({world.other_org.pk})}
    programme = Programme.objects.get(pk=world.programme.pk)
    scope = Scope(programme=programme, as_of=TODAY, organisation_ids=ids[organisations])
    days = month_ends(TODAY - datetime.timedelta(days=120), TODAY)
    for code, indicator in INDICATORS.items():
        expected = (
            indicator.total(scope),
            indicator.by_place(scope),
            indicator.cumulative(scope, days),
        )
        assert passes.figures(indicator, scope, days) == expected, code


def test_counts_of_distinct_people_do_not_add_up_and_keep_their_queries():
    assert passes.additive(INDICATORS["training_hours"])
    assert passes.additive(INDICATORS["events"])
    assert not passes.additive(INDICATORS["participants"])
    assert not passes.additive(INDICATORS["forum_locations"])


@pytest.mark.django_db
def test_an_additive_indicator_costs_one_query(world, records, django_assert_num_queries):
    scope = Scope(programme=Programme.objects.get(pk=world.programme.pk), as_of=TODAY)
    days = month_ends(TODAY - datetime.timedelta(days=120), TODAY)
    with django_assert_num_queries(1):
        total, places, series = passes.figures(INDICATORS["counselling_hours"], scope, days)
    assert series[-1] == total and sum(places.values()) == total


@pytest.mark.django_db
def test_a_distinct_count_costs_two_queries_its_total_and_series_together(
    world, records, django_assert_num_queries
):
    scope = Scope(programme=Programme.objects.get(pk=world.programme.pk), as_of=TODAY)
    days = month_ends(TODAY - datetime.timedelta(days=120), TODAY)
    with django_assert_num_queries(2):
        total, places, series = passes.figures(INDICATORS["participants"], scope, days)
    assert total > 0 and series[-1] == total and sum(places.values()) == total
