"""The community consultants' field-work log: what a visit needs, whose clients it may name, and
the supervisor's counts by month per community and per consultant."""

import datetime

import pytest

from casework import services as casework_services
from community import selectors, services
from community.models import FieldVisit, FieldVisitClient, VisitKind
from kernel.errors import InvalidInput, NotAllowed, NotFound
from notifications.models import Notification

from ..conftest import new_client
from .helpers import TODAY, consultant

pytestmark = pytest.mark.django_db


def log(world, user, **overrides):
    data = {
        "programme_id": world.programme.pk,
        "kind": VisitKind.VISIT,
        "visited_on": TODAY,
        "settlement": "Tornaľa",
        "locality": "Osada Hámor",
        "topic": "Školská dochádzka",
        "people_reached": 12,
        "follow_up": "Stretnutie s riaditeľkou školy.",
    }
    return services.visit_log(user=user, **{**data, **overrides})


def test_a_consultant_logs_a_visit_with_history_and_no_notification(world):
    person = consultant(world)
    visit = log(world, person)
    assert (visit.organisation, visit.consultant, visit.community) == (
        world.org,
        person,
        "Tornaľa – Osada Hámor",
    )
    history = visit.history.get()
    assert (history.history_user, history.history_change_reason) == (person, "field_visit.log")
    assert not Notification.objects.exists()


def test_a_visit_in_the_future_or_reaching_nobody_is_refused_and_nothing_is_written(world):
    person = consultant(world)
    with pytest.raises(InvalidInput) as refusal:
        log(world, person, visited_on=TODAY + datetime.timedelta(days=1))
    assert "visited_on" in refusal.value.field_errors
    with pytest.raises(InvalidInput) as refusal:
        log(world, person, people_reached=0)
    assert "people_reached" in refusal.value.field_errors
    with pytest.raises(InvalidInput) as refusal:
        log(world, person, topic="  ")
    assert "topic" in refusal.value.field_errors
    assert not FieldVisit.objects.exists()


def test_a_visit_names_only_clients_the_logger_may_see_and_links_to_their_cases(world):
    anna = new_client(world)
    case = casework_services.case_open(
        user=world.worker, client_id=anna.pk, programme_id=world.programme.pk
    )
    stranger = new_client(world, family_name="Idegen")
    stranger.organisation = world.other_org
    stranger.save()
    with pytest.raises(InvalidInput) as refusal:
        log(world, world.worker, client_ids=[anna.pk, stranger.pk])
    assert "clients" in refusal.value.field_errors
    assert not FieldVisit.objects.exists()

    visit = log(world, world.worker, client_ids=[anna.pk])
    link = FieldVisitClient.objects.get(visit=visit)
    assert link.client == anna
    assert link.history.get().history_change_reason == "field_visit.log"
    visit = selectors.visit_get(user=world.supervisor, visit_id=visit.pk)
    assert selectors.cases_of_visit(user=world.supervisor, visit=visit) == {anna.pk: [case]}


def test_a_consultant_without_a_casework_role_can_name_no_client(world):
    anna = new_client(world)
    with pytest.raises(InvalidInput):
        log(world, consultant(world), client_ids=[anna.pk])


@pytest.mark.parametrize("who", ["mentor", "admin"])
def test_roles_without_field_work_cannot_log_a_visit(world, who):
    with pytest.raises(NotAllowed):
        log(world, getattr(world, who))


def test_a_programme_the_organisation_is_not_in_is_refused(world):
    from ..factories import ProgrammeFactory

    elsewhere = ProgrammeFactory(funder_code="OTHER-1")
    with pytest.raises(InvalidInput) as refusal:
        log(world, consultant(world), programme_id=elsewhere.pk)
    assert "programme" in refusal.value.field_errors


def test_the_log_is_the_organisations_and_out_of_scope_is_not_found(world):
    visit = log(world, consultant(world))
    other = consultant(world, world.other_org, username="other_consultant")
    assert list(selectors.visits_visible_to(world.supervisor)) == [visit]
    assert not selectors.visits_visible_to(other).exists()
    assert not selectors.visits_visible_to(world.admin).exists()
    assert not selectors.visits_visible_to(world.mentor).exists()
    with pytest.raises(NotFound):
        selectors.visit_get(user=other, visit_id=visit.pk)


def test_the_supervisor_counts_visits_and_people_by_month_per_community_and_consultant(world):
    first, second = consultant(world), consultant(world, username="consultant2")
    last_month = (TODAY.replace(day=1) - datetime.timedelta(days=1)).replace(day=10)
    log(world, first, people_reached=5)
    log(world, second, people_reached=7)
    log(world, first, people_reached=3, locality="", visited_on=last_month)
    by_community = selectors.field_work_by_month(user=world.supervisor, by="community")
    this_month = TODAY.replace(day=1)
    assert [(r["month"], r["label"], r["visits"], r["people"]) for r in by_community] == [
        (this_month, "Tornaľa – Osada Hámor", 2, 12),
        (last_month.replace(day=1), "Tornaľa", 1, 3),
    ]
    by_consultant = selectors.field_work_by_month(user=world.supervisor, by="consultant")
    assert sorted((r["month"], r["key"], r["visits"]) for r in by_consultant) == sorted(
        [
            (this_month, first.pk, 1),
            (this_month, second.pk, 1),
            (last_month.replace(day=1), first.pk, 1),
        ]
    )
    # The counts are a supervisor's: a consultant sees the log, not the review.
    assert selectors.field_work_by_month(user=first) == []
