"""The community-work pages: each role's cells (who may open which page), 404 out of scope,
list pages in a constant number of queries, and the pages in Slovak."""

import pytest
from django.urls import reverse

from community import services
from community.models import MicroProjectStatus, VisitKind

from .helpers import TODAY, consultant, project_in, propose

pytestmark = pytest.mark.django_db


def visit_of(world, user):
    return services.visit_log(
        user=user,
        programme_id=world.programme.pk,
        kind=VisitKind.VISIT,
        visited_on=TODAY,
        settlement="Tornaľa",
        topic="Hygiena",
        people_reached=4,
    )


# Role × page: 200 where the role works, 404 (the page does not exist for them) elsewhere.
CELLS = [
    (
        "community:visit_list",
        {"worker": 200, "supervisor": 200, "consultant": 200, "mentor": 404, "admin": 404},
    ),
    (
        "community:visit_new",
        {"worker": 200, "supervisor": 404, "consultant": 200, "mentor": 404, "admin": 404},
    ),
    (
        "community:field_summary",
        {"worker": 404, "supervisor": 200, "consultant": 404, "mentor": 404, "admin": 404},
    ),
    (
        "community:project_list",
        {"worker": 200, "supervisor": 200, "consultant": 200, "mentor": 404, "admin": 404},
    ),
    (
        "community:project_new",
        {"worker": 200, "supervisor": 200, "consultant": 200, "mentor": 404, "admin": 404},
    ),
    (
        "community:meeting_list",
        {"worker": 200, "supervisor": 200, "consultant": 200, "mentor": 404, "admin": 404},
    ),
    (
        "community:meeting_new",
        {"worker": 404, "supervisor": 200, "consultant": 200, "mentor": 404, "admin": 404},
    ),
    (
        "community:measure_list",
        {"worker": 200, "supervisor": 200, "consultant": 200, "mentor": 404, "admin": 404},
    ),
]


@pytest.mark.parametrize(("name", "cells"), CELLS)
def test_each_role_opens_exactly_its_pages(world, client, name, cells):
    users = {
        "worker": world.worker,
        "supervisor": world.supervisor,
        "consultant": consultant(world),
        "mentor": world.mentor,
        "admin": world.admin,
    }
    for role, expected in cells.items():
        client.force_login(users[role])
        assert client.get(reverse(name)).status_code == expected, role


def test_records_of_another_organisation_answer_404(world, client):
    visit = visit_of(world, world.worker)
    project = propose(world)
    client.force_login(world.other_supervisor)
    assert client.get(visit.get_absolute_url()).status_code == 404
    assert client.get(project.get_absolute_url()).status_code == 404
    assert client.post(project.get_absolute_url(), {"action": "approve"}).status_code == 404
    client.force_login(world.admin)
    assert client.get(project.get_absolute_url()).status_code == 404


def test_a_consultant_logs_a_visit_through_the_form(world, client):
    person = consultant(world)
    client.force_login(person)
    response = client.post(
        reverse("community:visit_new"),
        {
            "programme": world.programme.pk,
            "kind": "contact",
            "visited_on": TODAY.isoformat(),
            "settlement": "Tornaľa",
            "locality": "Osada Hámor",
            "topic": "Očkovanie detí",
            "people_reached": "9",
        },
    )
    assert response.status_code == 302
    visit = person.field_visits.get()
    assert (visit.kind, visit.people_reached, visit.community) == (
        "contact",
        9,
        "Tornaľa – Osada Hámor",
    )


def test_the_visit_list_costs_the_same_queries_for_one_or_many_visits(
    world, client, django_assert_num_queries
):
    client.force_login(world.supervisor)
    visit_of(world, world.worker)
    client.get(reverse("community:visit_list"))  # warm the session and the user's roles
    # The session is not written on every page (web/sessions.py).
    with django_assert_num_queries(5) as first:
        client.get(reverse("community:visit_list"))
    for _ in range(5):
        visit_of(world, world.worker)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("community:visit_list"))


def test_the_project_list_costs_the_same_queries_for_one_or_many_projects(
    world, client, django_assert_num_queries
):
    client.force_login(world.supervisor)
    propose(world)
    client.get(reverse("community:project_list"))
    with django_assert_num_queries(5) as first:
        client.get(reverse("community:project_list"))
    for number in range(4):
        propose(world, title=f"Projekt {number}")
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("community:project_list"))


def test_the_supervisor_approves_on_the_project_page_and_the_guard_names_what_is_missing(
    world, client
):
    incomplete = propose(world, budget=None)
    client.force_login(world.supervisor)
    page = client.get(incomplete.get_absolute_url()).content.decode()
    assert "Enter the micro-project&#x27;s budget." in page
    response = client.post(incomplete.get_absolute_url(), {"action": "approve"})
    assert response.status_code == 200  # the page again, with the refusal
    assert "Enter the micro-project&#x27;s budget." in response.content.decode()
    incomplete.refresh_from_db()
    assert incomplete.status == MicroProjectStatus.PROPOSED

    ready = propose(world, title="Hotový návrh")
    client.post(ready.get_absolute_url(), {"action": "approve", "decision-note": "Schválené."})
    ready.refresh_from_db()
    assert (ready.status, ready.decision_note) == (MicroProjectStatus.APPROVED, "Schválené.")


def test_a_monitoring_visit_and_closure_through_the_project_page(world, client):
    project = project_in(world, "monitored")
    client.force_login(world.supervisor)
    client.post(project.get_absolute_url(), {"action": "close"})
    project.refresh_from_db()
    assert project.status == MicroProjectStatus.CLOSED


def test_the_pages_speak_slovak(world, client):
    project = propose(world)
    user = consultant(world)
    user.staff_profile.language = "sk"
    user.staff_profile.save()
    client.force_login(user)
    client.cookies["django_language"] = "sk"
    page = client.get(project.get_absolute_url(), headers={"accept-language": "sk"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Mikroprojekty" in text
    assert "navrhnutý" in text


def test_a_social_worker_names_the_clients_a_visit_concerned_and_the_visit_links_their_case(
    world, client
):
    from casework import services as casework_services

    from ..conftest import new_client

    anna = new_client(world)
    case = casework_services.case_open(
        user=world.worker, client_id=anna.pk, programme_id=world.programme.pk
    )
    client.force_login(world.worker)
    response = client.post(
        reverse("community:visit_new"),
        {
            "programme": world.programme.pk,
            "kind": "visit",
            "visited_on": TODAY.isoformat(),
            "settlement": "Ózd",
            "topic": "Lakhatás",
            "people_reached": "3",
            "clients": [anna.pk],
        },
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert case.get_absolute_url() in page


def test_a_meeting_is_recorded_through_the_form_with_attendees_by_organisation(world, client):
    client.force_login(world.supervisor)
    response = client.post(
        reverse("community:meeting_new"),
        {
            "programme": world.programme.pk,
            "title": "Polgármesterek és kisebbségi önkormányzatok",
            "held_on": TODAY.isoformat(),
            "settlement": "Ózd",
            "attendees": f"Nagy Béla, {world.org.name}\nLakatos Éva\nKiss Ödön, Nincs ilyen",
            "decisions": "Közös pályázat.",
        },
    )
    assert response.status_code == 400  # an organisation outside the consortium
    assert "Nincs ilyen" in response.content.decode()
    response = client.post(
        reverse("community:meeting_new"),
        {
            "programme": world.programme.pk,
            "title": "Polgármesterek és kisebbségi önkormányzatok",
            "held_on": TODAY.isoformat(),
            "settlement": "Ózd",
            "attendees": f"Nagy Béla, {world.org.name}\nLakatos Éva",
            "decisions": "Közös pályázat.",
        },
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Nagy Béla" in page and world.org.name in page and "Közös pályázat." in page


def test_a_measure_is_added_done_and_linked_through_its_pages(world, client):
    project = propose(world)
    client.force_login(world.supervisor)
    response = client.post(
        reverse("community:measure_list"),
        {
            "programme": world.programme.pk,
            "organisation": world.org.pk,
            "title": "Közösségi kert",
            "deadline": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    measure_url = response.url
    client.post(measure_url, {"action": "link", "link-micro_project": project.pk})
    client.post(
        measure_url,
        {"action": "status", "status-status": "done", "status-done_on": TODAY.isoformat()},
    )
    page = client.get(measure_url).content.decode()
    assert project.title in page
    from community.models import Measure

    measure = Measure.objects.get()
    assert (measure.status, measure.done_on, measure.links.get().micro_project) == (
        "done",
        TODAY,
        project,
    )


@pytest.mark.parametrize(
    ("name", "queries"),
    # The measure list also offers the new-measure form (programmes, organisations).
    [("community:meeting_list", 5), ("community:measure_list", 7)],
)
def test_the_partnership_lists_cost_the_same_queries_for_one_or_many_rows(
    world, client, django_assert_num_queries, name, queries
):
    from community.models import MeasureStatus

    def add():
        services.meeting_record(
            user=world.supervisor,
            programme_id=world.programme.pk,
            title="Ülés",
            held_on=TODAY,
            settlement="Ózd",
            decisions="-",
            attendees=[("Nagy Béla", world.org.pk)],
        )
        measure = services.measure_create(
            user=world.supervisor,
            programme_id=world.programme.pk,
            organisation_id=world.org.pk,
            title="Intézkedés",
            deadline=TODAY,
        )
        services.measure_set_status(
            user=world.supervisor, measure_id=measure.pk, status=MeasureStatus.IN_PROGRESS
        )

    client.force_login(world.supervisor)
    add()
    client.get(reverse(name))
    with django_assert_num_queries(queries) as first:
        client.get(reverse(name))
    for _ in range(3):
        add()
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse(name))


def test_the_supervisor_rejects_on_the_project_page_with_the_reason_typed_in_the_one_form(
    world, client
):
    project = propose(world)
    client.force_login(world.supervisor)
    page = client.get(project.get_absolute_url()).content.decode()
    assert 'value="approve"' in page and 'value="reject"' in page
    response = client.post(
        project.get_absolute_url(), {"action": "reject", "decision-note": "Mimo plánu."}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.status, project.decision_note) == (MicroProjectStatus.REJECTED, "Mimo plánu.")


def test_the_proposer_is_offered_no_approval_of_their_own_project(world, client):
    project = propose(world, user=world.supervisor)
    client.force_login(world.supervisor)
    page = client.get(project.get_absolute_url()).content.decode()
    assert 'value="approve"' not in page
    assert 'value="reject"' in page  # rejecting one's own proposal is withdrawing it
