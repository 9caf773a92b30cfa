"""A client's whole journey through the API alone: the social worker takes them in, the mentor
plans and works with them, a supervisor approves the plan, and the case closes by itself when
the follow-ups are recorded; then it is suspended, resumed, closed early and reopened."""

import pytest
from django.utils import timezone

from casework.journey import Stage
from casework.models import Case
from privacy import services as privacy_services
from privacy.models import Purpose
from workflows import engine

from ..conftest import COMPLETE_CLIENT
from .support import api_client, assert_error, url

TODAY = timezone.localdate().isoformat()


def ok(response, status=200) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:1500])
    return response.json() if response.content else {}


def step(api, case_id, name, **data):
    return api.post(url(f"transition_{name}", case_id), data, format="json")


def transitions(api, case_id) -> dict[str, dict]:
    return {row["name"]: row for row in ok(api.get(url("transition_list", case_id)))}


def my_task_names(api) -> set[str]:
    return {task["name"] for task in ok(api.get(url("task_list")))["results"]}


@pytest.mark.django_db
def test_three_users_take_a_client_from_intake_to_closure_through_the_api(world):
    worker, mentor, supervisor = (
        api_client(world.worker),
        api_client(world.mentor),
        api_client(world.supervisor),
    )

    # Social worker: register, open, consent, mentor, advance.
    client = ok(worker.post(url("client_list"), COMPLETE_CLIENT, format="json"), 201)
    case = ok(
        worker.post(
            url("case_list"),
            {"client": client["id"], "programme": world.programme.pk},
            format="json",
        ),
        201,
    )
    case_id = case["id"]
    assert case["stage"] == Stage.INTAKE
    assert my_task_names(worker) == {"intake"}
    blocked = assert_error(
        step(worker, case_id, "advance", from_stage="intake"), 422, "guard_failed"
    )
    assert "Assign a mentor." in blocked["missing"]
    assert transitions(worker, case_id)["advance"]["ready"] is False
    ok(step(worker, case_id, "consent", given_on=TODAY))
    ok(step(worker, case_id, "assign_mentor", mentor=world.mentor.pk))
    assert transitions(worker, case_id)["advance"] == {
        **transitions(worker, case_id)["advance"],
        "allowed": True,
        "ready": True,
        "missing": [],
    }
    case = ok(step(worker, case_id, "advance", from_stage="intake"))
    assert case["stage"] == Stage.PLANNING

    # Mentor: the plan, a goal, submit.
    assert my_task_names(mentor) == {"draft_plan"}
    assert transitions(mentor, case_id)["plan_submit"]["missing"] == ["Draft the development plan."]
    ok(
        mentor.put(
            url("case_plan", case_id),
            {"summary": "Wants to work", "client_agreed_on": TODAY},
            format="json",
        )
    )
    goal = ok(
        mentor.post(
            url("case_goals", case_id),
            {"area": "employment", "description": "A job within six months"},
            format="json",
        ),
        201,
    )
    assert transitions(mentor, case_id)["plan_submit"]["ready"] is True
    ok(step(mentor, case_id, "plan_submit"))

    # Supervisor: the approval waits in their queue; the author cannot approve.
    assert transitions(mentor, case_id)["plan_approve"]["allowed"] is False
    supervisor_tasks = ok(supervisor.get(url("task_list")))["results"]
    assert [(t["name"], t["pooled"], t["case"]["id"]) for t in supervisor_tasks] == [
        ("approve_plan", True, case_id)
    ]
    case = ok(step(supervisor, case_id, "plan_approve", comment="Good plan"))
    assert case["stage"] == Stage.TRAINING
    assert case["plan"]["status"] == "approved"

    # Mentor: sessions until the threshold, goal achieved, advance.
    for n in range(world.programme.attendance_threshold):
        ok(
            mentor.post(
                url("session_list"),
                {
                    "kind": "training",
                    "format": "individual",
                    "topic": f"Job search {n}",
                    "held_on": TODAY,
                    "duration_minutes": 90,
                    "attendance": [{"case": case_id, "present": True}],
                },
                format="json",
            ),
            201,
        )
    ok(mentor.patch(url("goal_detail", goal["id"]), {"achieved": True}, format="json"))
    assert ok(mentor.get(url("case_attendance", case_id)))["count"] == 2
    assert ok(step(mentor, case_id, "advance", from_stage="training"))["stage"] == "screening"

    # Screening declined, placement with an outcome, follow-ups, a referral on the way.
    ok(
        mentor.put(
            url("case_screening", case_id),
            {"status": "declined", "screened_on": TODAY},
            format="json",
        )
    )
    assert ok(step(mentor, case_id, "advance", from_stage="screening"))["stage"] == "placement"
    # The sharing consent is a signed paper form recorded on the case page (no API yet).
    privacy_services.consent_record(
        user=world.worker,
        case=Case.objects.get(pk=case_id),
        purpose=Purpose.PARTNER_SHARING,
        partner=world.labour_office,
        given_on=timezone.localdate(),
    )
    referral = ok(
        mentor.post(
            url("case_referrals", case_id),
            {"partner": world.labour_office.pk, "purpose": "Job club"},
            format="json",
        ),
        201,
    )
    ok(
        worker.post(
            url("referral_answer", referral["id"]),
            {"answer": "Enrolled", "answered_on": TODAY},
            format="json",
        )
    )
    ok(
        mentor.put(
            url("case_placement", case_id),
            {
                "employer": "Ózdi Kft.",
                "contract_type": "fixed_term",
                "starts_on": TODAY,
                "exit_outcome": "employed",
            },
            format="json",
        )
    )
    case = ok(step(mentor, case_id, "advance", from_stage="placement"))
    assert case["stage"] == Stage.FOLLOW_UP
    follow_ups = ok(mentor.get(url("case_follow_ups", case_id)))["results"]
    assert [f["kind"] for f in follow_ups] == ["first", "second"]
    for follow_up in follow_ups:
        ok(
            mentor.put(
                url("follow_up_detail", follow_up["id"]),
                {
                    "status": "reached",
                    "contacted_on": TODAY,
                    "situation": "employed",
                },
                format="json",
            )
        )
    case = ok(step(mentor, case_id, "advance", from_stage="follow_up"))
    assert case["stage"] == Stage.CLOSED and case["outcome"] == "completed"
    assert engine.active_process(Case.objects.get(pk=case_id)) is None

    # A supervisor reopens it; the worker suspends, resumes and closes it early.
    case = ok(step(supervisor, case_id, "reopen", reason="Lost the job", to_intake=False))
    assert case["stage"] == Stage.FOLLOW_UP
    assert (
        ok(step(worker, case_id, "suspend", from_stage="follow_up", reason="In hospital"))["stage"]
        == Stage.SUSPENDED
    )
    assert ok(step(worker, case_id, "resume"))["stage"] == Stage.FOLLOW_UP
    case = ok(
        step(
            worker,
            case_id,
            "close",
            from_stage="follow_up",
            outcome="moved_away",
            reason="Moved to Budapest",
        )
    )
    assert (case["stage"], case["outcome"]) == (Stage.CLOSED, "moved_away")

    # The audit timeline tells the same story, in order, with who and why.
    history = ok(worker.get(url("case_history", case_id), {"page_size": 100}))["results"]
    reasons = [row["history_change_reason"] for row in history if row["record"] == "case"]
    assert reasons[:3] == ["case.open", "case.record_consent", "case.assign_mentor"]
    assert reasons[-4:] == [
        "case.reopen: Lost the job",
        "case.suspend: In hospital",
        "case.resume",
        "case.close_early",
    ]
    assert [row["history_date"] for row in history] == sorted(
        row["history_date"] for row in history
    )
    assert {row["record"] for row in history} >= {
        "case",
        "client",
        "plan",
        "goal",
        "session",
        "attendance",
        "screening",
        "placement",
        "follow_up",
        "referral",
    }
    approval = next(r for r in history if r["history_change_reason"] == "plan.approve")
    assert approval["history_user"]["username"] == "supervisor"
    assert approval["history_type"] == "~"
