"""The whole journey through the web pages, as the three users would click it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.journey import Stage
from casework.models import Case, FollowUpStatus, PlanStatus
from workflows import engine

from ..conftest import COMPLETE_CLIENT

TODAY = timezone.localdate().isoformat()


def post_action(client, case, name, **fields):
    data = {f"{name}-{key}": value for key, value in fields.items()}
    return client.post(reverse("casework:case_action", args=[case.pk, name]), data)


def assert_moved(response, case, stage):
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.stage == stage


@pytest.mark.django_db
def test_three_users_take_a_client_from_intake_to_closure_in_the_browser_pages(
    world, client, django_user_model
):
    client.force_login(world.worker)
    data = {**COMPLETE_CLIENT, "programme": world.programme.pk}
    data["target_groups"] = COMPLETE_CLIENT["target_groups"]
    response = client.post(reverse("casework:intake_new"), data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == case.get_absolute_url()

    # A guard failure is explained on the page and nothing changes.
    response = post_action(client, case, "advance", from_stage=Stage.INTAKE)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Record the client&#x27;s consent" in page or "Record the client's consent" in page
    assert "Assign a mentor." in page

    assert post_action(client, case, "consent", given_on=TODAY).status_code == 302
    assert post_action(client, case, "assign_mentor", mentor=world.mentor.pk).status_code == 302
    assert_moved(
        post_action(client, case, "advance", from_stage=Stage.INTAKE), case, Stage.PLANNING
    )

    client.force_login(world.mentor)
    assert client.get(case.get_absolute_url()).status_code == 200
    assert (
        post_action(
            client, case, "plan", summary="Wants to work", client_agreed_on=TODAY
        ).status_code
        == 302
    )
    assert (
        post_action(
            client, case, "goal_add", area="employment", description="A job within six months"
        ).status_code
        == 302
    )
    assert post_action(client, case, "plan_submit").status_code == 302
    assert case.plan.status == PlanStatus.SUBMITTED

    client.force_login(world.supervisor)
    page = client.get(reverse("casework:home")).content.decode()
    assert case.number in page  # the approval waits on the supervisor's home page
    response = post_action(client, case, "plan_review", decision="approve", comment="")
    assert_moved(response, case, Stage.TRAINING)

    client.force_login(world.mentor)
    for n in range(world.programme.attendance_threshold):
        assert (
            post_action(
                client,
                case,
                "session",
                kind="training",
                topic=f"Skills {n}",
                held_on=TODAY,
                duration_minutes=90,
                present="on",
            ).status_code
            == 302
        )
    assert_moved(
        post_action(client, case, "advance", from_stage=Stage.TRAINING), case, Stage.SCREENING
    )
    assert (
        post_action(client, case, "screening", status="declined", screened_on=TODAY).status_code
        == 302
    )
    assert_moved(
        post_action(client, case, "advance", from_stage=Stage.SCREENING), case, Stage.PLACEMENT
    )
    assert (
        post_action(
            client,
            case,
            "placement",
            employer="Ózdi Kft.",
            contract_type="fixed_term",
            starts_on=TODAY,
            exit_outcome="employed",
        ).status_code
        == 302
    )
    assert_moved(
        post_action(client, case, "advance", from_stage=Stage.PLACEMENT), case, Stage.FOLLOW_UP
    )
    for follow_up in case.follow_ups.order_by("due_on"):
        response = post_action(
            client,
            case,
            "follow_up",
            follow_up_id=follow_up.pk,
            status=FollowUpStatus.REACHED,
            contacted_on=TODAY,
            situation="employed",
            notes="",
        )
        assert response.status_code == 302
    assert_moved(
        post_action(client, case, "advance", from_stage=Stage.FOLLOW_UP), case, Stage.CLOSED
    )
    assert engine.active_process(case) is None


@pytest.mark.django_db
def test_a_stale_page_gets_a_conflict_and_changes_nothing(world, client, case):
    client.force_login(world.worker)
    response = post_action(client, case, "advance", from_stage=Stage.PLANNING)
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.stage == Stage.INTAKE


@pytest.mark.django_db
def test_a_case_outside_the_users_scope_answers_404_on_every_page(world, client, case):
    client.force_login(world.other_worker)
    assert client.get(case.get_absolute_url()).status_code == 404
    response = post_action(client, case, "consent", given_on=TODAY)
    assert response.status_code == 404
    process = engine.active_process(case)
    assert client.get(reverse("journey:process_detail", args=[process.pk])).status_code == 404


@pytest.mark.django_db
def test_a_mentor_is_refused_an_action_of_another_role_with_403(world, client, case):
    client.force_login(world.worker)
    post_action(client, case, "assign_mentor", mentor=world.mentor.pk)
    client.force_login(world.mentor)
    response = post_action(client, case, "advance", from_stage=Stage.INTAKE)
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.stage == Stage.INTAKE


@pytest.mark.django_db
def test_a_plan_waiting_for_approval_is_on_its_organisations_supervisors_home_page_only(
    world, client, case
):
    from casework import services

    from ..journey import complete_intake, submit_plan

    complete_intake(case, world)
    submit_plan(case, world)

    def approvals(user):
        client.force_login(user)
        context = client.get(reverse("casework:home")).context
        return [waiting.pk for _task, waiting, _due, _late in context["approvals"]]

    assert approvals(world.supervisor) == [case.pk]
    assert approvals(world.supervisor2) == [case.pk]
    assert approvals(world.other_supervisor) == []
    services.plan_approve(user=world.supervisor, case_id=case.pk)
    assert approvals(world.supervisor2) == []
