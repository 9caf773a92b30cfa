"""The community-work indicators on records built through the real services, against values
worked out by hand: consultants' contacts and people reached (per settlement and as of a date),
micro-projects by status, partnership meetings and action-plan measures done."""

import datetime

import pytest
from django.urls import reverse

from community import services
from community.models import MeasureStatus, VisitKind
from reporting.indicators import INDICATORS, Scope

from ..community.helpers import TODAY, consultant, project_in, propose

pytestmark = pytest.mark.django_db

WEEK_AGO = TODAY - datetime.timedelta(days=7)


@pytest.fixture
def community_work(world):
    person = consultant(world)
    for day, settlement, people in [
        (WEEK_AGO, "Tornaľa", 10),
        (TODAY, "Tornaľa", 4),
        (TODAY, "Gemer", 6),
    ]:
        services.visit_log(
            user=person,
            programme_id=world.programme.pk,
            kind=VisitKind.VISIT,
            visited_on=day,
            settlement=settlement,
            topic="Poradenstvo",
            people_reached=people,
        )
    propose(world, title="Len navrhnutý")
    project_in(world, "running")
    closed = project_in(world, "monitored")
    services.project_close(user=world.supervisor, project_id=closed.pk)
    services.meeting_record(
        user=world.supervisor,
        programme_id=world.programme.pk,
        title="Stretnutie",
        held_on=WEEK_AGO,
        settlement="Tornaľa",
        decisions="Akčný plán schválený.",
        attendees=[("Starosta", world.org.pk)],
    )
    done = services.measure_create(
        user=world.supervisor,
        programme_id=world.programme.pk,
        organisation_id=world.org.pk,
        title="Komunitné centrum",
        deadline=TODAY,
    )
    services.measure_set_status(
        user=world.supervisor, measure_id=done.pk, status=MeasureStatus.DONE, done_on=TODAY
    )
    services.measure_create(
        user=world.supervisor,
        programme_id=world.programme.pk,
        organisation_id=world.org.pk,
        title="Ešte nie",
        deadline=TODAY,
    )
    return world


def total(code, world, as_of=TODAY):
    return INDICATORS[code].total(Scope(programme=world.programme, as_of=as_of))


def test_contacts_and_people_reached_count_as_of_the_date_and_per_settlement(community_work):
    world = community_work
    assert total("field_contacts", world) == 3
    assert total("field_people_reached", world) == 20
    assert total("field_contacts", world, as_of=WEEK_AGO) == 1
    assert total("field_people_reached", world, as_of=WEEK_AGO) == 10
    by_place = INDICATORS["field_people_reached"].by_place(
        Scope(programme=world.programme, as_of=TODAY)
    )
    assert by_place == {(world.org.pk, "Tornaľa"): 14, (world.org.pk, "Gemer"): 6}


def test_micro_projects_count_by_status_meetings_and_measures_done(community_work):
    world = community_work
    assert total("micro_projects_approved", world) == 2  # the running and the closed one
    assert total("micro_projects_running", world) == 1
    assert total("micro_projects_closed", world) == 1
    assert total("partnership_meetings", world) == 1
    assert total("measures_done", world) == 1
    assert total("measures_done", world, as_of=WEEK_AGO) == 0


def test_the_records_behind_a_community_indicator_are_listed(community_work, client):
    world = community_work
    client.force_login(world.admin)
    response = client.get(reverse("reporting:records", args=[world.programme.pk, "field_contacts"]))
    assert response.status_code == 200
    assert "Tornaľa" in response.content.decode()
