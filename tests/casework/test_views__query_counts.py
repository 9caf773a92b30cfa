"""List and home pages issue the same number of queries whatever the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import services
from casework.journey import Stage

from ..conftest import new_client
from ..journey import attend_sessions, to_stage


def open_cases(world, count, stage=Stage.PLANNING):
    cases = []
    for n in range(count):
        client = new_client(world, family_name=f"Client{n}")
        case = services.case_open(
            user=world.worker, client_id=client.pk, programme_id=world.programme.pk
        )
        cases.append(to_stage(case, world, stage))
    return cases


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["worker", "mentor", "supervisor", "admin"])
@pytest.mark.parametrize("url_name", ["casework:home", "casework:case_list"])
def test_page_query_count_does_not_grow_with_the_number_of_cases(world, client, username, url_name):
    user = getattr(world, username)
    client.force_login(user)
    open_cases(world, 2)
    url = reverse(url_name)
    few = queries_for(client, url)
    assert few <= 16  # session, user, roles, profile, then a fixed handful per home-page panel
    open_cases(world, 6)
    assert queries_for(client, url) == few


@pytest.mark.django_db
def test_case_page_query_count_does_not_grow_with_sessions_and_goals(world, client):
    (case,) = open_cases(world, 1, stage=Stage.TRAINING)
    client.force_login(world.mentor)
    url = case.get_absolute_url()
    few = queries_for(client, url)
    # 22: the consent section (privacy) reads the consents and the partner offices, two more;
    # 25: the special categories a goal grants the mentor (privacy.special) read the roles, the
    # records and their versions, three more.
    assert few <= 25
    attend_sessions(case, world, 1)
    services.goal_mark_achieved(user=world.mentor, goal_id=case.plan.goals.first().pk)
    assert queries_for(client, url) == few


@pytest.mark.django_db
def test_the_referral_and_the_consent_offer_the_programmes_partner_offices_read_once(world, client):
    (case,) = open_cases(world, 1, stage=Stage.TRAINING)
    client.force_login(world.worker)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(case.get_absolute_url()).content.decode()
    partner_reads = [
        query
        for query in captured.captured_queries
        if "casework_consortiummembership" in query["sql"] and "kind" in query["sql"]
    ]
    assert len(partner_reads) == 1
    for office in (world.labour_office, world.health_office):
        option = f'<option value="{office.pk}">{office.name}</option>'
        assert page.count(option) == 2  # the referral's select and the consent's
    assert f">{world.other_org.name}</option>" not in page  # a partner, not a partner office


@pytest.mark.django_db
def test_a_mentors_tasks_are_listed_due_first_and_overdue_ones_are_marked(world, client):
    import datetime

    from django.utils import timezone

    from workflows.models import CaseTask

    early, late = open_cases(world, 2, stage=Stage.TRAINING)
    # The later case's training task opened long ago: it is overdue and must come first.
    task = CaseTask.objects.get(process__artifact_object_id=late.pk, status="ASSIGNED")
    # Saved, not updated: the task boxes read OpenTask, which follows the task's saves.
    task.created = timezone.now() - datetime.timedelta(days=400)
    task.save(update_fields=["created"])
    client.force_login(world.mentor)
    tasks = client.get(reverse("casework:home")).context["my_tasks"]
    assert [(case.pk, overdue) for _task, case, _due, overdue in tasks] == [
        (late.pk, True),
        (early.pk, False),
    ]


@pytest.mark.django_db
def test_a_supervisor_sees_the_cases_that_changed_since_their_last_review(world, client):
    from audit.services import review_sign_off

    reviewed, untouched = open_cases(world, 2, stage=Stage.PLANNING)
    for case in (reviewed, untouched):
        review_sign_off(user=world.supervisor, case_id=case.pk)
    services.case_suspend(user=world.worker, case_id=reviewed.pk, reason="Hospital stay")
    client.force_login(world.supervisor)
    changed = client.get(reverse("casework:home")).context["changed_since_review"]
    assert [case.pk for case in changed] == [reviewed.pk]
