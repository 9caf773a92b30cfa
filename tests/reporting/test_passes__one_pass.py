"""The passes of ``reporting.passes`` give every indicator the figures its own three queries
give (``Indicator.total``, ``by_place``, ``cumulative``): one query per set of indicators over
the same records, whether they add up or count distinct people, and an indicator that shares
its records with no other in a query of its own."""

import dataclasses
import datetime

import pytest
from django.db.models import Q
from django.utils import timezone

from casework.models import Gender, LabourMarketStatus, Programme
from community import services as community
from community.models import VisitKind
from reporting import passes
from reporting.indicators import GROUPS, INDICATORS, Scope, _distinct
from reporting.selectors import month_ends

from ..community.helpers import consultant, project_in, propose
from ..esf import (
    FIRST,
    SECOND,
    answer,
    leave,
    other_organisation_participant,
    participant,
    settlements,
    years_before,
)
from .figures import by_own_queries

TODAY = timezone.localdate()


@pytest.mark.django_db
@pytest.mark.parametrize("organisations", [None, "own", "other"])
def test_one_pass_gives_the_figures_of_the_three_queries(world, records, organisations):
    ids = {None: None, "own": frozenset({world.org.pk}), "other": frozenset({world.other_org.pk})}
    programme = Programme.objects.get(pk=world.programme.pk)
    scope = Scope(programme=programme, as_of=TODAY, organisation_ids=ids[organisations])
    days = month_ends(TODAY - datetime.timedelta(days=120), TODAY)
    for code, indicator in INDICATORS.items():
        expected = by_own_queries(indicator, scope, days)
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
def test_a_distinct_count_costs_one_query_its_total_series_and_places_together(
    world, records, django_assert_num_queries
):
    scope = Scope(programme=Programme.objects.get(pk=world.programme.pk), as_of=TODAY)
    days = month_ends(TODAY - datetime.timedelta(days=120), TODAY)
    with django_assert_num_queries(1):
        total, places, series = passes.figures(INDICATORS["participants"], scope, days)
    assert total > 0 and series[-1] == total and sum(places.values()) == total


DAY = datetime.timedelta(days=1)
LEFT = TODAY - 300 * DAY
ENTERED = LEFT - 60 * DAY
# A day before some of the records below: the figures as the report of that day gives them.
PAST = TODAY - 50 * DAY


@pytest.fixture
def populated(world, records):
    """Besides ``records``: ESF+ participants of every kind at entry in two places (one with an
    incomplete record, one entered after ``PAST``), leavers who answered their follow-ups inside
    and outside the windows, a participant of the other organisation, and community work."""
    settlements()

    def born(age: int) -> dict:
        day = years_before(ENTERED, age)
        return {"birth_date": day, "birth_year": day.year}

    people = [
        dict(gender=Gender.FEMALE, settlement="Putnok", **born(17)),
        dict(
            gender=Gender.MALE,
            labour_market_status=LabourMarketStatus.UNEMPLOYED,
            unemployed_since=years_before(ENTERED, 1),
            third_country_national=True,
            **born(24),
        ),
        dict(gender=Gender.NON_BINARY, foreign_origin=True, **born(60)),
        # Incomplete: the settlement is not in the settlement list.
        dict(settlement="Sehol", labour_market_status=LabourMarketStatus.PUBLIC_WORKS, **born(40)),
        dict(gender=Gender.MALE, housing_exclusion=True, settlement="Putnok", **born(35)),
        dict(gender=Gender.FEMALE, labour_market_status=LabourMarketStatus.INACTIVE, **born(45)),
    ]
    complete = dict(
        third_country_national=False,
        foreign_origin=False,
        housing_exclusion=False,
        labour_market_status=LabourMarketStatus.INACTIVE,
    )
    cases = [
        participant(world, entry_on=ENTERED, family_name=f"P{n}", **{**complete, **data})
        for n, data in enumerate(people)
    ]
    participant(world, entry_on=TODAY - 10 * DAY, family_name="Late", **{**complete, **born(30)})
    no = dict(job_searching=False, in_education=False, gained_qualification=False, employed=False)
    answers = [
        (
            28,
            {**no, "job_searching": True, "gained_qualification": True},
            182,
            dict(employed=True, improved_situation=False),
        ),
        (
            29,
            {**no, "in_education": True, "employed": True},
            211,
            dict(employed=True, improved_situation=True),
        ),
        (0, {**no, "employed": True}, 200, dict(employed=True, improved_situation=True)),
    ]
    for case, (first_day, first, second_day, second) in zip(cases, answers, strict=False):
        case = leave(case, world, left_on=LEFT)
        answer(case, world, FIRST, contacted_on=LEFT + first_day * DAY, **first)
        answer(case, world, SECOND, contacted_on=LEFT + second_day * DAY, **second)
    other_organisation_participant(world, entry_on=ENTERED, today=TODAY)
    community.event_create(
        user=world.other_worker,
        programme_id=world.programme.pk,
        kind="forum",
        title="Más",
        settlement="Miskolc",
        held_on=PAST - DAY,
    )
    person = consultant(world)
    for day, settlement, reached in [(PAST - DAY, "Ózd", 10), (TODAY, "Putnok", 3)]:
        community.visit_log(
            user=person,
            programme_id=world.programme.pk,
            kind=VisitKind.VISIT,
            visited_on=day,
            settlement=settlement,
            topic="T",
            people_reached=reached,
        )
    propose(world, title="Proposed only")
    project_in(world, "running")
    project_in(world, "approved")


SCOPES = {
    "consortium": lambda world: (None, TODAY),
    "own organisation": lambda world: (frozenset({world.org.pk}), TODAY),
    "other organisation": lambda world: (frozenset({world.other_org.pk}), TODAY),
    "consortium in the past": lambda world: (None, PAST),
    "own organisation in the past": lambda world: (frozenset({world.org.pk}), PAST),
}


@pytest.mark.django_db
@pytest.mark.parametrize("scope_name", list(SCOPES))
def test_shared_passes_give_every_indicator_the_figures_of_its_own_queries(
    world, populated, scope_name
):
    organisations, as_of = SCOPES[scope_name](world)
    programme = Programme.objects.get(pk=world.programme.pk)
    scope = Scope(programme=programme, as_of=as_of, organisation_ids=organisations)
    days = month_ends(ENTERED - 40 * DAY, as_of)
    # As the dashboard asks: the grouped (ESF+) indicators without a series.
    wanted = [(i, [] if i.group else days) for i in INDICATORS.values()]
    found = passes.figures_of(wanted, scope)
    for indicator, its_days in wanted:
        expected = by_own_queries(indicator, scope, its_days)
        assert found[indicator.code] == expected, indicator.code
    # The dataset reaches the indicators the passes share (not a comparison of zeros).
    if scope_name == "consortium":
        assert all(found[code][0] for code in ("esf_female", "esf_non_binary", "esf_rural"))
        assert all(found[code][0] for code in ("esf_exit_employed", "esf_6m_improved"))
        assert all(found[code][0] for code in ("training_hours", "event_guests", "forums"))
        assert all(found[code][0] for code in ("micro_projects_running", "esf_incomplete"))


@pytest.mark.django_db
def test_indicators_over_the_same_records_share_their_queries(
    world, populated, django_assert_num_queries
):
    scope = Scope(programme=Programme.objects.get(pk=world.programme.pk), as_of=TODAY)
    days = month_ends(ENTERED, TODAY)
    entry = [(i, []) for i in INDICATORS.values() if i.group == "esf_entry"]
    results = [(i, []) for i in INDICATORS.values() if i.group == "esf_results"]
    assert len(entry) == 20 and len(results) == 6
    with django_assert_num_queries(1):
        passes.figures_of(entry, scope)
    with django_assert_num_queries(1):
        passes.figures_of(results, scope)
    hours = [(INDICATORS["training_hours"], days), (INDICATORS["counselling_hours"], days)]
    with django_assert_num_queries(1):
        passes.figures_of(hours, scope)
    # The whole registry: one query per base, whether it adds up or counts distinct people.
    additive = {(*i.base, i.measure.date) for i in INDICATORS.values() if passes.additive(i)}
    distinct = {i.base for i in INDICATORS.values() if not passes.additive(i)}
    assert (len(additive), len(distinct)) == (8, 6)
    with django_assert_num_queries(len(additive) + len(distinct)):
        passes.figures_of([(i, [] if i.group else days) for i in INDICATORS.values()], scope)
    assert set(GROUPS) == {"esf_entry", "esf_results"}


@pytest.mark.django_db
def test_an_indicator_that_shares_its_records_with_none_keeps_passes_of_its_own(
    world, populated, django_assert_num_queries
):
    """An indicator declared later with rows of its own (not the function of the others')
    is answered alone, with the same figures."""
    female = INDICATORS["esf_female"]
    measure = female.measure
    alone = dataclasses.replace(
        female,
        code="esf_female_alone",
        measure=dataclasses.replace(measure, rows=lambda scope: measure.rows(scope)),
    )
    scope = Scope(programme=Programme.objects.get(pk=world.programme.pk), as_of=TODAY)
    with django_assert_num_queries(2):
        found = passes.figures_of([(female, []), (alone, [])], scope)
    assert found["esf_female_alone"] == found["esf_female"] == passes.figures(female, scope)
    assert found["esf_female"][0] == alone.total(scope) > 0


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", [TODAY, TODAY - 20 * DAY])
def test_a_person_counts_once_from_their_first_record(
    world, records, django_assert_num_queries, as_of
):
    """Distinct counts over the same rows (the client at community events, every event and
    the forums only) counted from each person's first record: the one client came to events
    in three months and two places, with guests (rows without a client) beside them. Counting
    every record instead would give 3 (2 in the past), and a series that grows each month."""
    shared = _clients_at_events_and_forums()
    scope = Scope(programme=Programme.objects.get(pk=world.programme.pk), as_of=as_of)
    days = month_ends(TODAY - 120 * DAY, as_of)
    with django_assert_num_queries(1):
        found = passes.figures_of([(indicator, days) for indicator in shared], scope)
    for indicator in shared:
        expected = by_own_queries(indicator, scope, days)
        assert found[indicator.code] == expected, indicator.code
    total, places, series = found["clients_at_events"]
    assert total == 1 and sorted(places.values()) == [1, 1]
    # Zero before the first event, one from its month on.
    assert series[-1] == 1 and series.count(1) == len(series) - series.count(0)
    # The client's first forum came a month after their first event (a club): the two
    # indicators' series differ, so one indicator's first dates cannot stand in for another's.
    assert found["clients_at_forums"][2] != series


@pytest.mark.django_db
def test_a_person_with_several_records_in_a_place_counts_once_there(
    world, records, django_assert_num_queries
):
    """An indicator alone over its records (no condition of its own): the client came to two
    events in Ózd and one in Putnok, so each place counts one person, not a record each."""
    alone = _clients_at_events_alone()
    scope = Scope(programme=Programme.objects.get(pk=world.programme.pk), as_of=TODAY)
    with django_assert_num_queries(1):
        total, places, _series = passes.figures(alone, scope)
    assert (
        places == alone.by_place(scope) == {(world.org.pk, "Ózd"): 1, (world.org.pk, "Putnok"): 1}
    )
    assert total == alone.total(scope) == 1


def _clients_at_events_alone():
    attendees = INDICATORS["event_clients"]
    return dataclasses.replace(
        attendees,
        code="clients_at_events_alone",
        measure=dataclasses.replace(attendees.measure, aggregate=_distinct("client"), where=Q()),
    )


def _clients_at_events_and_forums() -> list:
    """Two distinct counts of clients over the attendance sheets, with conditions of their own
    (answered together): clients at any event, clients at forums."""
    attendees = INDICATORS["event_clients"]
    kinds = {
        "clients_at_events": Q(client__isnull=False),
        "clients_at_forums": Q(event__kind="forum"),
    }
    measure = dataclasses.replace(attendees.measure, aggregate=_distinct("client"))
    return [
        dataclasses.replace(attendees, code=code, measure=dataclasses.replace(measure, where=where))
        for code, where in kinds.items()
    ]


@pytest.mark.django_db
def test_a_place_with_only_guests_is_listed_with_no_people(world, records):
    """A forum where only guests (rows without a client) came counts no client, but its place
    is one of the forum indicator's places, as the indicator's own query lists it; it is not
    one of the places of clients at events (no row there meets that condition)."""
    event = community.event_create(
        user=world.worker,
        programme_id=world.programme.pk,
        kind="forum",
        title="Guests only",
        settlement="Sajószentpéter",
        held_on=TODAY,
    )
    community.event_record_attendance(
        user=world.worker, event_id=event.pk, client_ids=[], guests=[("G", "Sajószentpéter")]
    )
    shared = _clients_at_events_and_forums()
    scope = Scope(programme=Programme.objects.get(pk=world.programme.pk), as_of=TODAY)
    found = passes.figures_of([(indicator, []) for indicator in shared], scope)
    for indicator in shared:
        assert found[indicator.code] == (indicator.total(scope), indicator.by_place(scope), [])
    guests_only = (world.org.pk, "Sajószentpéter")
    assert found["clients_at_forums"][1][guests_only] == 0
    assert guests_only not in found["clients_at_events"][1]


@pytest.mark.django_db
def test_a_scope_of_no_organisation_gives_zeros_without_asking_the_database(
    world, records, django_assert_num_queries
):
    scope = Scope(
        programme=Programme.objects.get(pk=world.programme.pk),
        as_of=TODAY,
        organisation_ids=frozenset(),
    )
    days = month_ends(TODAY - 120 * DAY, TODAY)
    for indicator in (INDICATORS["participants"], _clients_at_events_alone()):
        with django_assert_num_queries(0):
            found = passes.figures(indicator, scope, days)
        assert (
            found
            == (0, {}, [0] * len(days))
            == (
                indicator.total(scope),
                indicator.by_place(scope),
                indicator.cumulative(scope, days),
            )
        )
