"""The records of a case through the API: plan and goals, sessions and attendance, screening,
placement, follow-ups and referrals, each written by its service with the role's rights."""

import pytest
from django.utils import timezone

from casework import services
from casework.journey import Stage

from ..conftest import new_client
from ..journey import to_stage
from .support import api_client, assert_error, db_fingerprint, url

TODAY = timezone.localdate().isoformat()


@pytest.mark.django_db
def test_the_mentor_drafts_the_plan_and_only_while_planning(world, case):
    to_stage(case, world, Stage.PLANNING)
    mentor = api_client(world.mentor)
    assert_error(mentor.get(url("case_plan", case.pk)), 404, "not_found")
    plan = mentor.put(
        url("case_plan", case.pk), {"summary": "Strengths: languages"}, format="json"
    ).json()
    assert plan["status"] == "draft" and plan["author"]["username"] == "mentor"
    goal = mentor.post(
        url("case_goals", case.pk),
        {"area": "education", "description": "Finish 8 grades"},
        format="json",
    ).json()
    assert mentor.delete(url("goal_detail", goal["id"])).status_code == 204
    assert_error(
        api_client(world.worker).post(
            url("case_goals", case.pk), {"area": "health", "description": "x"}, format="json"
        ),
        403,
        "not_allowed",
    )
    to_stage(case, world, Stage.TRAINING)
    before = db_fingerprint()
    assert_error(
        mentor.put(url("case_plan", case.pk), {"summary": "late"}, format="json"),
        422,
        "guard_failed",
    )
    assert db_fingerprint() == before
    goal_id = case.plan.goals.first().pk
    achieved = mentor.patch(url("goal_detail", goal_id), {"achieved": True}, format="json")
    assert achieved.status_code == 200 and achieved.json()["achieved"] is True


@pytest.mark.django_db
def test_a_group_session_records_attendance_and_a_line_can_be_corrected(world):
    cases = []
    for name in ["Kovács", "Horváth"]:
        case = services.case_open(
            user=world.worker,
            client_id=new_client(world, family_name=name).pk,
            programme_id=world.programme.pk,
        )
        cases.append(to_stage(case, world, Stage.TRAINING))
    worker = api_client(world.worker)
    response = worker.post(
        url("session_list"),
        {
            "kind": "counselling",
            "format": "group",
            "topic": "Budgeting",
            "held_on": TODAY,
            "attendance": [
                {"case": cases[0].pk, "present": True},
                {"case": cases[1].pk, "present": False},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    session = response.json()
    assert [line["present"] for line in session["attendance"]] == [True, False]
    line = session["attendance"][1]["id"]
    corrected = worker.patch(url("attendance_detail", line), {"present": True}, format="json")
    assert corrected.json()["present"] is True
    other_case = services.case_open(
        user=world.other_worker,
        client_id=services.client_register(
            user=world.other_worker, data={"family_name": "X", "given_name": "Y"}
        ).pk,
        programme_id=world.programme.pk,
    )
    body = assert_error(
        worker.post(
            url("session_list"),
            {
                "kind": "training",
                "format": "group",
                "topic": "x",
                "held_on": TODAY,
                "attendance": [{"case": cases[0].pk}, {"case": other_case.pk}],
            },
            format="json",
        ),
        400,
        "invalid",
    )
    assert list(body["fields"]) == ["attendance"]


@pytest.mark.django_db
def test_screening_placement_follow_ups_and_referrals(world, case):
    to_stage(case, world, Stage.SCREENING)
    mentor, supervisor = api_client(world.mentor), api_client(world.supervisor)
    assert_error(
        supervisor.put(
            url("case_screening", case.pk), {"status": "done", "screened_on": TODAY}, format="json"
        ),
        403,
        "not_allowed",
    )
    body = assert_error(
        mentor.put(
            url("case_screening", case.pk),
            {"status": "done", "screened_on": TODAY, "referred_to": world.other_org.pk},
            format="json",
        ),
        400,
        "invalid",
    )
    assert list(body["fields"]) == ["referred_to"]
    screening = mentor.put(
        url("case_screening", case.pk),
        {"status": "done", "screened_on": TODAY, "referred_to": world.health_office.pk},
        format="json",
    ).json()
    assert screening["referred_to"]["name"] == "Health office"
    assert mentor.get(url("case_screening", case.pk)).json() == screening

    to_stage(case, world, Stage.PLACEMENT)
    body = assert_error(
        mentor.put(url("case_placement", case.pk), {"exit_outcome": "employed"}, format="json"),
        400,
        "invalid",
    )
    assert "__all__" in body["fields"]
    placement = mentor.put(
        url("case_placement", case.pk), {"exit_outcome": "job_seeking"}, format="json"
    ).json()
    assert placement["exit_recorded_on"] == TODAY

    to_stage(case, world, Stage.FOLLOW_UP)
    first, second = mentor.get(url("case_follow_ups", case.pk)).json()["results"]
    assert_error(
        mentor.put(url("follow_up_detail", second["id"]), {"status": "unreachable"}, format="json"),
        422,
        "guard_failed",
    )
    body = assert_error(
        mentor.put(url("follow_up_detail", first["id"]), {"status": "reached"}, format="json"),
        400,
        "invalid",
    )
    assert list(body["fields"]) == ["situation"]
    done = mentor.put(
        url("follow_up_detail", first["id"]), {"status": "unreachable"}, format="json"
    ).json()
    assert done["status"] == "unreachable"
    pending = mentor.get(url("follow_up_list"), {"status": "pending"}).json()
    assert [row["id"] for row in pending["results"]] == [second["id"]]

    referral = mentor.post(
        url("case_referrals", case.pk),
        {"partner": world.labour_office.pk, "purpose": "Job club"},
        format="json",
    ).json()
    answer = {"answer": "Starts Monday", "answered_on": TODAY}
    assert (
        mentor.post(url("referral_answer", referral["id"]), answer, format="json").json()["status"]
        == "answered"
    )
    assert_error(
        mentor.post(url("referral_answer", referral["id"]), answer, format="json"),
        422,
        "guard_failed",
    )
