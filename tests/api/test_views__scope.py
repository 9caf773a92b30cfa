"""Every endpoint is scoped like the web UI: the case's social worker, mentor and supervisors see
it; anyone else gets 404 (never 403), and lists neither show nor count what is out of scope."""

import pytest

from casework import services
from casework.journey import Stage
from casework.models import Attendance, Session

from ..conftest import new_client
from ..journey import to_stage
from .support import api_client, assert_error, db_fingerprint, url

IN_SCOPE = ["worker", "mentor", "supervisor", "supervisor2"]
OUT_OF_SCOPE = ["mentor2", "other_worker", "other_mentor", "other_supervisor", "admin"]


@pytest.fixture
def full_case(world, case):
    """A case in follow-up: plan and goal, attendance, screening, placement, follow-ups, and a
    referral."""
    to_stage(case, world, Stage.FOLLOW_UP)
    services.referral_create(
        user=world.mentor, case_id=case.pk, partner_id=world.labour_office.pk, purpose="Job club"
    )
    return case


def detail_urls(case) -> dict[str, str]:
    attendance = Attendance.objects.filter(case=case).first()
    return {
        "case": url("case_detail", case.pk),
        "transitions": url("transition_list", case.pk),
        "plan": url("case_plan", case.pk),
        "goals": url("case_goals", case.pk),
        "attendance": url("case_attendance", case.pk),
        "screening": url("case_screening", case.pk),
        "placement": url("case_placement", case.pk),
        "follow-ups": url("case_follow_ups", case.pk),
        "referrals": url("case_referrals", case.pk),
        "history": url("case_history", case.pk),
        "goal": url("goal_detail", case.plan.goals.first().pk),
        "attendance line": url("attendance_detail", attendance.pk),
        "session": url("session_detail", attendance.session_id),
        "follow-up": url("follow_up_detail", case.follow_ups.first().pk),
        "referral": url("referral_detail", case.referrals.first().pk),
        "client": url("client_detail", case.client_id),
    }


@pytest.mark.django_db
def test_the_case_team_reads_every_record_of_the_case(world, full_case):
    urls = detail_urls(full_case)
    for username in IN_SCOPE:
        api = api_client(getattr(world, username))
        for name, path in urls.items():
            response = api.get(path)
            # The audit history is for supervisors and social workers only (audit.permissions).
            expected = 404 if (username, name) == ("mentor", "history") else 200
            assert response.status_code == expected, (username, name, response.content[:300])


@pytest.mark.django_db
def test_anyone_else_gets_404_for_every_record_of_the_case(world, full_case):
    urls = detail_urls(full_case)
    for username in OUT_OF_SCOPE:
        api = api_client(getattr(world, username))
        for name, path in urls.items():
            response = api.get(path)
            assert response.status_code == 404, (username, name)
            assert_error(response, 404, "not_found")


@pytest.mark.django_db
def test_writes_on_a_case_out_of_scope_answer_404_and_write_nothing(world, full_case):
    case = full_case
    attendance = Attendance.objects.filter(case=case).first()
    writes = [
        ("post", url("transition_suspend", case.pk), {"from_stage": case.stage, "reason": "x"}),
        (
            "post",
            url("transition_close", case.pk),
            {"from_stage": case.stage, "outcome": "moved_away", "reason": "x"},
        ),
        ("post", url("transition_advance", case.pk), {"from_stage": case.stage}),
        ("put", url("case_plan", case.pk), {"summary": "x"}),
        ("post", url("case_goals", case.pk), {"area": "health", "description": "x"}),
        ("patch", url("goal_detail", case.plan.goals.first().pk), {"achieved": True}),
        ("delete", url("goal_detail", case.plan.goals.first().pk), None),
        ("patch", url("attendance_detail", attendance.pk), {"present": False}),
        ("put", url("case_screening", case.pk), {"status": "done", "screened_on": "2025-01-02"}),
        ("put", url("case_placement", case.pk), {"exit_outcome": "job_seeking"}),
        ("put", url("follow_up_detail", case.follow_ups.first().pk), {"status": "unreachable"}),
        (
            "post",
            url("case_referrals", case.pk),
            {"partner": world.labour_office.pk, "purpose": "x"},
        ),
        (
            "post",
            url("referral_answer", case.referrals.first().pk),
            {"answer": "ok", "answered_on": "2025-01-02"},
        ),
        ("patch", url("client_detail", case.client_id), {"phone": "+36 1 234"}),
        (
            "post",
            url("session_list"),
            {
                "kind": "training",
                "format": "individual",
                "topic": "x",
                "held_on": "2025-01-02",
                "attendance": [{"case": case.pk, "present": True}],
            },
        ),
    ]
    before = db_fingerprint()
    for username in ["mentor2", "other_worker", "other_supervisor", "admin"]:
        api = api_client(getattr(world, username))
        for method, path, body in writes:
            response = getattr(api, method)(path, body, format="json")
            assert response.status_code in (400, 404), (username, method, path, response.content)
            if path != url("session_list"):
                assert_error(response, 404, "not_found")
    assert db_fingerprint() == before


@pytest.mark.django_db
def test_lists_neither_show_nor_count_records_out_of_scope(world, full_case):
    for username in OUT_OF_SCOPE:
        api = api_client(getattr(world, username))
        for name in ["case_list", "client_list", "session_list", "follow_up_list", "task_list"]:
            body = api.get(url(name)).json()
            assert body["count"] == 0, (username, name, body)
            assert body["results"] == []
    own = api_client(world.worker).get(url("case_list")).json()
    assert own["count"] == 1 and own["results"][0]["id"] == full_case.pk


@pytest.mark.django_db
def test_a_session_shows_only_the_attendance_of_visible_cases(world):
    first = services.case_open(
        user=world.worker, client_id=new_client(world).pk, programme_id=world.programme.pk
    )
    second = services.case_open(
        user=world.worker,
        client_id=new_client(world, family_name="Second").pk,
        programme_id=world.programme.pk,
    )
    to_stage(first, world, Stage.PLANNING)
    services.case_record_consent(
        user=world.worker, case_id=second.pk, given_on=first.consent_given_on
    )
    services.case_assign_mentor(user=world.worker, case_id=second.pk, mentor_id=world.mentor2.pk)
    services.case_advance(user=world.worker, case_id=second.pk, from_stage=Stage.INTAKE)
    session = services.session_record(
        user=world.worker,
        kind="training",
        format="group",
        topic="CV writing",
        held_on=first.opened_on,
        attendance={first.pk: True, second.pk: False},
    )
    assert Session.objects.count() == 1

    mentor_view = api_client(world.mentor).get(url("session_detail", session.pk)).json()
    assert [line["case"]["id"] for line in mentor_view["attendance"]] == [first.pk]
    worker_view = api_client(world.worker).get(url("session_detail", session.pk)).json()
    assert {line["case"]["id"] for line in worker_view["attendance"]} == {first.pk, second.pk}


@pytest.mark.django_db
def test_a_client_without_a_case_is_seen_by_their_organisation_only(world):
    client = new_client(world, family_name="Registered")
    for username in ["worker", "supervisor"]:
        assert (
            api_client(getattr(world, username)).get(url("client_detail", client.pk)).status_code
            == 200
        )
    for username in ["mentor", "other_worker", "admin"]:
        assert_error(
            api_client(getattr(world, username)).get(url("client_detail", client.pk)),
            404,
            "not_found",
        )


@pytest.mark.django_db
def test_only_the_recipient_sees_and_marks_a_notification(world, case):
    notification = world.worker.notifications.first()
    assert notification is not None  # the intake task was announced to the social worker
    other = api_client(world.supervisor)
    assert_error(other.post(url("notification_read", notification.pk)), 404, "not_found")
    assert all(
        row["id"] != notification.pk
        for row in other.get(url("notification_list")).json()["results"]
    )
    mine = api_client(world.worker)
    response = mine.post(url("notification_read", notification.pk))
    assert response.status_code == 200 and response.json()["unread"] is False
    assert mine.get(url("notification_list"), {"unread": "true"}).json()["count"] == 0
