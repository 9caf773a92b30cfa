"""Four-eyes on the development plan: a supervisor other than the author decides, a mentor never
does, and a supervisor of another organisation cannot even see the case."""

import pytest
from django.contrib.auth.models import Group

from casework import services
from casework.journey import Stage
from casework.models import PlanStatus
from casework.roles import Role
from kernel.errors import GuardFailed, InvalidInput, NotAllowed, NotFound
from notifications.events import Event
from notifications.models import Notification

from ..factories import staff
from ..journey import TODAY, submit_plan, to_stage
from .support import db_state, latest_history, open_task, reload

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(world, case):
    """A case in planning whose plan, written by its mentor, waits for approval."""
    case = to_stage(case, world, Stage.PLANNING)
    submit_plan(case, world)
    return case


@pytest.fixture
def mentoring_supervisor(world):
    """A supervisor who also mentors: allowed to approve plans, but never their own."""
    user = staff(Role.SUPERVISOR, world.org, username="mentoring_supervisor")
    user.groups.add(Group.objects.get(name=Role.MENTOR))
    return user


def _notifications(recipient, event):
    return list(Notification.objects.filter(recipient=recipient, event=event))


@pytest.mark.parametrize("decide", ["approve", "return"])
def test_the_plan_author_cannot_approve_or_return_their_own_plan_even_as_supervisor(
    world, case, mentoring_supervisor, decide
):
    services.case_record_consent(user=world.worker, case_id=case.pk, given_on=TODAY)
    services.case_assign_mentor(
        user=world.worker, case_id=case.pk, mentor_id=mentoring_supervisor.pk
    )
    services.case_advance(user=world.worker, case_id=case.pk, from_stage=Stage.INTAKE)
    services.plan_save(user=mentoring_supervisor, case_id=case.pk, client_agreed_on=TODAY)
    services.goal_add(
        user=mentoring_supervisor, case_id=case.pk, area="employment", description="A job"
    )
    services.plan_submit(user=mentoring_supervisor, case_id=case.pk)
    before = db_state()

    with pytest.raises(NotAllowed) as refused:
        if decide == "approve":
            services.plan_approve(user=mentoring_supervisor, case_id=case.pk)
        else:
            services.plan_return(user=mentoring_supervisor, case_id=case.pk, comment="Redo")

    assert str(refused.value.message) == (
        "Four eyes: you cannot approve or return a plan you wrote."
    )
    assert db_state() == before

    # Another supervisor of the organisation may.
    services.plan_approve(user=world.supervisor, case_id=case.pk)
    assert reload(case).stage == Stage.TRAINING


@pytest.mark.parametrize("role", ["mentor", "worker"])
def test_a_mentor_or_social_worker_cannot_approve_or_return_a_plan(world, submitted, role):
    user = getattr(world, role)
    before = db_state()

    with pytest.raises(NotAllowed):
        services.plan_approve(user=user, case_id=submitted.pk)
    with pytest.raises(NotAllowed):
        services.plan_return(user=user, case_id=submitted.pk, comment="No")

    assert db_state() == before


def test_a_supervisor_of_another_organisation_cannot_even_see_the_case(world, submitted):
    before = db_state()

    with pytest.raises(NotFound):
        services.plan_approve(user=world.other_supervisor, case_id=submitted.pk)
    with pytest.raises(NotFound):
        services.plan_return(user=world.other_supervisor, case_id=submitted.pk, comment="No")

    assert db_state() == before


def test_approval_moves_the_case_to_training_and_tells_the_mentor_of_the_new_task(world, submitted):
    plan = services.plan_approve(user=world.supervisor, case_id=submitted.pk, comment="Good")

    case = reload(submitted)
    plan.refresh_from_db()
    assert case.stage == Stage.TRAINING
    assert (plan.status, plan.approved_by, plan.review_comment) == (
        PlanStatus.APPROVED,
        world.supervisor,
        "Good",
    )
    assert plan.history.order_by("-history_id").first().history_change_reason == "plan.approve"
    assert (latest_history(case).history_user, latest_history(case).history_change_reason) == (
        world.supervisor,
        "case.advance",
    )
    task = open_task(case)
    assert (task.flow_task.name, task.owner) == ("training", world.mentor)
    [assigned] = Notification.objects.filter(
        recipient=world.mentor, event=Event.TASK_ASSIGNED, task_id=task.pk
    )
    assert assigned.title == f"New task for you: Run the trainings and counselling (case {case})"
    assert len(_notifications(world.mentor, Event.PLAN_APPROVED)) == 1
    assert _notifications(world.supervisor, Event.PLAN_APPROVED) == []


def test_return_sends_the_plan_back_to_its_draft_task_and_notifies_the_author(world, submitted):
    plan = services.plan_return(
        user=world.supervisor2, case_id=submitted.pk, comment="Add a housing goal"
    )

    case = reload(submitted)
    plan.refresh_from_db()
    assert case.stage == Stage.PLANNING
    assert (plan.status, plan.review_comment, plan.approved_by) == (
        PlanStatus.RETURNED,
        "Add a housing goal",
        None,
    )
    assert plan.history.order_by("-history_id").first().history_change_reason == "plan.return"
    task = open_task(case)
    assert (task.flow_task.name, task.owner) == ("draft_plan", world.mentor)
    returned = _notifications(world.mentor, Event.PLAN_RETURNED)
    assert [n.title for n in returned] == [
        f"The development plan of case {case} was returned for changes"
    ]
    assert Notification.objects.filter(
        recipient=world.mentor, event=Event.TASK_ASSIGNED, task_id=task.pk
    ).exists()


def test_a_returned_plan_can_be_changed_resubmitted_and_then_approved(world, submitted):
    services.plan_return(user=world.supervisor, case_id=submitted.pk, comment="Add housing")
    services.goal_add(
        user=world.mentor, case_id=submitted.pk, area="housing", description="Stable housing"
    )
    services.plan_submit(user=world.mentor, case_id=submitted.pk)
    assert open_task(submitted).flow_task.name == "approve_plan"

    services.plan_approve(user=world.supervisor, case_id=submitted.pk)

    assert reload(submitted).stage == Stage.TRAINING
    assert reload(submitted).plan.goals.count() == 2


def test_a_submitted_plan_cannot_be_changed_until_it_is_returned(world, submitted):
    before = db_state()

    with pytest.raises(GuardFailed) as refused:
        services.goal_add(
            user=world.mentor, case_id=submitted.pk, area="housing", description="More"
        )

    assert str(refused.value.message) == (
        "The plan is waiting for approval and cannot be changed now."
    )
    assert db_state() == before


def test_returning_a_plan_needs_a_comment(world, submitted):
    before = db_state()

    with pytest.raises(InvalidInput) as refused:
        services.plan_return(user=world.supervisor, case_id=submitted.pk, comment="  ")

    assert refused.value.field_errors == {"comment": ["This field is required."]}
    assert db_state() == before
