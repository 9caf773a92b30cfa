"""List endpoints issue the same number of queries for a few rows as for many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import services
from casework.journey import Stage

from ..conftest import new_client
from ..journey import attend_sessions, to_stage
from .support import api_client, url


def open_cases(world, count, stage=Stage.TRAINING):
    cases = []
    for n in range(count):
        client = new_client(world, family_name=f"Client{n}")
        case = services.case_open(
            user=world.worker, client_id=client.pk, programme_id=world.programme.pk
        )
        case = to_stage(case, world, stage)
        services.referral_create(
            user=world.mentor,
            case_id=case.pk,
            partner_id=world.labour_office.pk,
            purpose=f"Job club {n}",
        )
        attend_sessions(case, world, 1)
        cases.append(case)
    return cases


def queries_for(api, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path, {"page_size": 100})
    assert response.status_code == 200, response.content[:500]
    return len(captured.captured_queries)


def list_paths(case, username: str = "worker") -> list[str]:
    """Every list the user may read: the audit history is not a mentor's (audit.permissions)."""
    return [
        url("case_list"),
        url("client_list"),
        url("session_list"),
        url("follow_up_list"),
        url("task_list"),
        url("notification_list"),
        url("case_attendance", case.pk),
        url("case_goals", case.pk),
        url("case_referrals", case.pk),
        *([url("case_history", case.pk)] if username != "mentor" else []),
        url("case_follow_ups", case.pk),
    ]


@pytest.mark.django_db
def test_list_query_counts_do_not_grow_with_the_number_of_rows(world):
    (first,) = open_cases(world, 1, stage=Stage.FOLLOW_UP)
    users = ["worker", "mentor", "supervisor"]
    for path in list_paths(first):  # a row of every kind: no list is measured empty only
        assert any(
            api_client(getattr(world, username)).get(path).json()["count"] for username in users
        ), path
    few = {
        (username, path): queries_for(api_client(getattr(world, username)), path)
        for username in users
        for path in list_paths(first, username)
    }
    more = open_cases(world, 2) + open_cases(world, 2, stage=Stage.FOLLOW_UP)
    # More rows of every kind on the first case too: sessions, goals, referrals, history.
    attend_sessions(first, world, 3)
    for case in more:
        services.goal_mark_achieved(user=world.mentor, goal_id=case.plan.goals.first().pk)
    services.referral_create(
        user=world.mentor, case_id=first.pk, partner_id=world.health_office.pk, purpose="Screening"
    )
    many = {
        (username, path): queries_for(api_client(getattr(world, username)), path)
        for username in users
        for path in list_paths(first, username)
    }
    assert many == few
    assert max(few.values()) <= 16


@pytest.mark.django_db
def test_the_case_detail_query_count_does_not_grow_with_its_records(world, case):
    to_stage(case, world, Stage.FOLLOW_UP)
    api = api_client(world.mentor)
    path = url("case_detail", case.pk)
    with CaptureQueriesContext(connection) as few:
        api.get(path)
    attend_sessions(case, world, 3)
    services.referral_create(
        user=world.mentor, case_id=case.pk, partner_id=world.labour_office.pk, purpose="Job club"
    )
    with CaptureQueriesContext(connection) as many:
        api.get(path)
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db
def test_the_programme_list_query_count_does_not_grow_with_programmes(world):
    from ..factories import MembershipFactory, ProgrammeFactory

    api = api_client(world.worker)
    with CaptureQueriesContext(connection) as few:
        body = api.get(url("programme_list")).json()
    assert [p["name"] for p in body[0]["partner_offices"]] == ["Health office", "Labour office"]
    for _ in range(3):
        programme = ProgrammeFactory()
        MembershipFactory(programme=programme, organisation=world.org)
        MembershipFactory(programme=programme, organisation=world.labour_office)
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(url("programme_list")).json()) == 4
    assert len(many.captured_queries) == len(few.captured_queries)
