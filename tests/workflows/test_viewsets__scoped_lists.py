"""Viewflow's inbox and process list show only the user's cases, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import services
from casework.journey import Stage

from ..conftest import new_client
from ..journey import to_stage


def open_cases(world, count):
    cases = []
    for n in range(count):
        client = new_client(world, family_name=f"Inbox{n}")
        case = services.case_open(
            user=world.worker, client_id=client.pk, programme_id=world.programme.pk
        )
        cases.append(to_stage(case, world, Stage.TRAINING))
    return cases


def get(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(captured.captured_queries)


@pytest.mark.django_db
def test_the_inbox_lists_the_mentors_own_tasks_in_a_fixed_number_of_queries(world, client):
    open_cases(world, 2)
    client.force_login(world.mentor)
    url = reverse("journey:inbox")
    _response, few = get(client, url)
    cases = open_cases(world, 5)
    response, many = get(client, url)
    assert many == few
    page = response.content.decode()
    assert all(case.number in page for case in cases)


@pytest.mark.django_db
def test_the_process_list_hides_other_organisations_cases(world, client):
    (case,) = open_cases(world, 1)
    client.force_login(world.other_supervisor)
    response = client.get(reverse("journey:process_list"))
    assert response.status_code == 200
    assert case.number not in response.content.decode()
    client.force_login(world.supervisor)
    assert case.number in client.get(reverse("journey:process_list")).content.decode()


@pytest.mark.django_db
def test_the_menu_counts_the_users_own_tasks_and_their_organisations_queue(world, rf):
    from web.workflows.viewsets import CaseJourneyViewset
    from workflows.flows import CaseJourneyFlow

    from ..journey import submit_plan

    mine = open_cases(world, 2)
    client = new_client(world, family_name="Elsewhere")
    theirs = services.case_open(
        user=world.worker, client_id=client.pk, programme_id=world.programme.pk
    )
    theirs = to_stage(theirs, world, Stage.PLANNING)
    submit_plan(theirs, world)  # an approval waits in the organisation's queue

    def counts(user):
        request = rf.get("/")
        request.user = user
        context = CaseJourneyViewset(CaseJourneyFlow).get_context_data(request)
        return context["user_inbox"].count(), context["user_queue"].count()

    assert counts(world.mentor) == (len(mine), 0)  # the approval is not the mentor's
    assert counts(world.supervisor) == (0, 1)
    assert counts(world.other_supervisor) == (0, 0)


@pytest.mark.django_db
def test_the_process_page_and_chart_show_a_journey_whose_tasks_opened_one_another(world, client):
    """Human tasks open the next task without a gateway task between them (workflows/nodes.py):
    Viewflow's process page lists them and its chart still draws the whole graph."""
    from workflows import engine

    (case,) = open_cases(world, 1)  # intake -> planning -> training: three human tasks in a row
    process = engine.active_process(case)
    names = [task.flow_task.name for task in process.task_set.order_by("pk")]
    assert names == ["start", "route", "intake", "draft_plan", "approve_plan", "training"]
    client.force_login(world.supervisor)
    detail = client.get(reverse("journey:process_detail", args=[process.pk]))
    assert detail.status_code == 200
    chart = client.get(reverse("journey:process_chart", args=[process.pk]))
    assert chart.status_code == 200
    assert "approve_plan" in chart.content.decode() or "Approve" in chart.content.decode()
