"""Micro-projects: every transition and guard of the status machine, with its history row (user
and reason) and the live notification of the responsible person, sent only after commit."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.db import transaction

from community import guards, services
from community.models import MicroProject, MicroProjectStatus
from kernel.errors import GuardFailed, InvalidInput, NotAllowed, NotFound
from notifications.events import Event
from notifications.models import Notification

from .helpers import TODAY, consultant, project_in, propose

pytestmark = pytest.mark.django_db


def last_history(project):
    row = MicroProject.objects.get(pk=project.pk).history.order_by("-history_id").first()
    return row.history_user, row.history_change_reason, row.status


def told(user, event=Event.MICRO_PROJECT_STATUS):
    return list(
        Notification.objects.filter(recipient=user, event=event).values_list("title", flat=True)
    )


def test_a_proposal_is_proposed_with_history_and_tells_the_responsible_person(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        project = propose(world, user=world.supervisor)
    assert project.status == MicroProjectStatus.PROPOSED
    assert project.organisation == world.org
    assert last_history(project) == (world.supervisor, "micro_project.propose", "proposed")
    assert told(world.worker, Event.MICRO_PROJECT_ASSIGNED) == [
        "You are responsible for the micro-project: Komunitná záhrada"
    ]
    assert callbacks  # the push waits for the commit


@pytest.fixture
def push():
    with mock.patch("notifications.publish.push") as patched:
        yield patched


def test_approval_moves_to_approved_records_the_approver_and_notifies_after_commit(
    world, push, django_capture_on_commit_callbacks
):
    project = propose(world)
    push.reset_mock()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.project_approve(user=world.supervisor, project_id=project.pk, note="OK")
    project.refresh_from_db()
    assert project.status == MicroProjectStatus.APPROVED
    assert project.decision_note == "OK"
    assert last_history(project) == (world.supervisor, "micro_project.approve", "approved")
    assert told(world.worker) == ["Micro-project Komunitná záhrada is now: approved"]
    assert push.call_count == 0  # the row is written; the push waits for the commit
    for callback in callbacks:
        callback()
    pushed = [call.args[0] for call in push.call_args_list]
    assert [(n.recipient, n.event, n.url) for n in pushed] == [
        (world.worker, Event.MICRO_PROJECT_STATUS, project.get_absolute_url())
    ]


def test_approval_without_budget_and_responsible_person_names_both_and_writes_nothing(world):
    project = propose(world, budget=None, responsible_id=None)
    with pytest.raises(GuardFailed) as refusal:
        services.project_approve(user=world.supervisor, project_id=project.pk)
    assert refusal.value.details == [
        "Enter the micro-project's budget.",
        "Name the person responsible at the partner organisation.",
    ]
    project.refresh_from_db()
    assert project.status == MicroProjectStatus.PROPOSED
    assert project.history.count() == 1


def test_a_zero_budget_does_not_pass_the_approval(world):
    project = propose(world, budget=Decimal("0"))
    with pytest.raises(GuardFailed, match="budget"):
        services.project_approve(user=world.supervisor, project_id=project.pk)


def test_the_proposer_cannot_approve_their_own_micro_project(world):
    project = propose(world, user=world.supervisor, responsible_id=world.worker.pk)
    with pytest.raises(NotAllowed):
        services.project_approve(user=world.supervisor, project_id=project.pk)
    services.project_approve(user=world.supervisor2, project_id=project.pk)
    project.refresh_from_db()
    assert project.status == MicroProjectStatus.APPROVED


@pytest.mark.parametrize("who", ["worker", "consultant"])
def test_only_a_supervisor_decides_on_a_micro_project(world, who):
    user = consultant(world) if who == "consultant" else getattr(world, who)
    project = propose(world, user=world.supervisor2)
    with pytest.raises(NotAllowed):
        services.project_approve(user=user, project_id=project.pk)
    with pytest.raises(NotAllowed):
        services.project_reject(user=user, project_id=project.pk, reason="no")


def test_a_mentor_sees_only_the_projects_they_are_responsible_for(world):
    theirs = propose(world, responsible_id=world.mentor.pk)
    other = propose(world, title="Iný projekt")
    with pytest.raises(NotFound):
        services.project_approve(user=world.mentor, project_id=other.pk)
    with pytest.raises(NotAllowed):
        services.project_approve(user=world.mentor, project_id=theirs.pk)


def test_rejection_needs_a_reason_and_ends_the_project(world, django_capture_on_commit_callbacks):
    project = propose(world)
    with pytest.raises(GuardFailed, match="reason"):
        services.project_reject(user=world.supervisor, project_id=project.pk, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.project_reject(
            user=world.supervisor, project_id=project.pk, reason="Mimo cieľov plánu."
        )
    project.refresh_from_db()
    assert project.status == MicroProjectStatus.REJECTED
    assert project.decision_note == "Mimo cieľov plánu."
    assert last_history(project) == (world.supervisor, "micro_project.reject", "rejected")
    assert told(world.worker) == ["Micro-project Komunitná záhrada is now: rejected"]
    with pytest.raises(GuardFailed, match="rejected"):
        services.project_approve(user=world.supervisor, project_id=project.pk)


def test_an_approved_project_starts_running_by_the_responsible_person(world):
    project = project_in(world, "approved")
    services.project_start(user=world.worker, project_id=project.pk)  # responsible, not a role
    project.refresh_from_db()
    assert project.status == MicroProjectStatus.RUNNING
    assert last_history(project) == (world.worker, "micro_project.start", "running")
    # The responsible person started it: nobody else to tell.
    assert told(world.worker) == ["Micro-project Komunitná záhrada is now: approved"]


def test_a_project_cannot_start_before_its_approval(world):
    project = propose(world)
    with pytest.raises(GuardFailed, match="proposed"):
        services.project_start(user=world.supervisor, project_id=project.pk)


def test_someone_neither_responsible_nor_running_projects_cannot_start_it(world):
    project = propose(world, responsible_id=world.mentor.pk)
    services.project_approve(user=world.supervisor, project_id=project.pk)
    with pytest.raises(NotAllowed):
        services.project_start(user=world.worker, project_id=project.pk)  # sees it, no role
    services.project_start(user=world.mentor, project_id=project.pk)  # the responsible person


def test_a_running_project_is_monitored_only_after_a_monitoring_visit(world):
    project = project_in(world, "running")
    with pytest.raises(GuardFailed) as refusal:
        services.project_mark_monitored(user=world.supervisor, project_id=project.pk)
    assert refusal.value.details == ["Record at least one monitoring visit."]
    visit = services.monitoring_visit_record(
        user=world.supervisor, project_id=project.pk, visited_on=TODAY, findings="Beží podľa plánu."
    )
    history = visit.history.get()
    assert (history.history_user, history.history_change_reason) == (
        world.supervisor,
        "micro_project.monitoring_visit",
    )
    services.project_mark_monitored(user=world.supervisor, project_id=project.pk)
    project.refresh_from_db()
    assert project.status == MicroProjectStatus.MONITORED
    assert last_history(project) == (world.supervisor, "micro_project.monitored", "monitored")


def test_closing_needs_a_final_monitoring_visit_and_every_milestone_done(world):
    project = project_in(world, "monitored", final_visit=False)
    milestone = services.milestone_add(
        user=world.worker, project_id=project.pk, title="Oplotenie", due_on=TODAY
    )
    with pytest.raises(GuardFailed) as refusal:
        services.project_close(user=world.supervisor, project_id=project.pk)
    assert refusal.value.details == [
        "Record the final monitoring visit.",
        "Mark these milestones done: Oplotenie.",
    ]
    services.monitoring_visit_record(
        user=world.supervisor,
        project_id=project.pk,
        visited_on=TODAY,
        findings="Záverečná kontrola: hotové.",
        is_final=True,
    )
    services.milestone_done(
        user=world.worker, project_id=project.pk, milestone_id=milestone.pk, done_on=TODAY
    )
    services.project_close(user=world.supervisor, project_id=project.pk)
    project.refresh_from_db()
    assert project.status == MicroProjectStatus.CLOSED
    assert last_history(project) == (world.supervisor, "micro_project.close", "closed")
    assert guards.visitable(project)  # nothing more is recorded on a closed project


def test_a_closed_project_cannot_be_closed_again_nor_visited(world):
    project = project_in(world, "monitored")
    services.project_close(user=world.supervisor, project_id=project.pk)
    with pytest.raises(GuardFailed, match="closed"):
        services.project_close(user=world.supervisor, project_id=project.pk)
    with pytest.raises(GuardFailed):
        services.monitoring_visit_record(
            user=world.supervisor, project_id=project.pk, visited_on=TODAY, findings="x"
        )


def test_a_monitoring_visit_cannot_be_in_the_future_nor_without_findings(world):
    project = project_in(world, "running")
    with pytest.raises(InvalidInput) as refusal:
        services.monitoring_visit_record(
            user=world.supervisor,
            project_id=project.pk,
            visited_on=TODAY + datetime.timedelta(days=1),
            findings="x",
        )
    assert "visited_on" in refusal.value.field_errors
    with pytest.raises(InvalidInput) as refusal:
        services.monitoring_visit_record(
            user=world.supervisor, project_id=project.pk, visited_on=TODAY, findings=" "
        )
    assert "findings" in refusal.value.field_errors
    assert not project.monitoring_visits.exists()


def test_a_transition_rolled_back_notifies_no_one(world, push, django_capture_on_commit_callbacks):
    project = propose(world)
    Notification.objects.all().delete()
    push.reset_mock()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.project_approve(user=world.supervisor, project_id=project.pk)
        raise RuntimeError("the surrounding work failed")
    assert callbacks == []
    assert push.call_count == 0
    assert not Notification.objects.exists()
    project.refresh_from_db()
    assert project.status == MicroProjectStatus.PROPOSED


def test_the_status_cannot_be_set_directly(world):
    project = propose(world)
    with pytest.raises(AttributeError):
        project.status = MicroProjectStatus.CLOSED


def test_a_new_responsible_person_is_told_and_must_work_for_the_partner(
    world, django_capture_on_commit_callbacks
):
    project = propose(world, responsible_id=None)
    with pytest.raises(InvalidInput):
        services.project_assign_responsible(
            user=world.supervisor, project_id=project.pk, responsible_id=world.other_worker.pk
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.project_assign_responsible(
            user=world.supervisor, project_id=project.pk, responsible_id=world.mentor.pk
        )
    assert told(world.mentor, Event.MICRO_PROJECT_ASSIGNED) == [
        "You are responsible for the micro-project: Komunitná záhrada"
    ]
    assert last_history(project)[:2] == (world.supervisor, "micro_project.assign_responsible")


def test_budget_and_period_change_only_before_the_decision(world):
    project = propose(world)
    services.project_edit(
        user=world.worker,
        project_id=project.pk,
        budget=Decimal("5000"),
        starts_on=project.starts_on,
        ends_on=project.ends_on,
    )
    project.refresh_from_db()
    assert project.budget == Decimal("5000")
    services.project_approve(user=world.supervisor, project_id=project.pk)
    with pytest.raises(GuardFailed):
        services.project_edit(
            user=world.worker,
            project_id=project.pk,
            budget=Decimal("9000"),
            starts_on=project.starts_on,
            ends_on=project.ends_on,
        )


def test_a_proposal_ending_before_it_starts_is_refused(world):
    with pytest.raises(InvalidInput) as refusal:
        propose(world, ends_on=TODAY - datetime.timedelta(days=90))
    assert "ends_on" in refusal.value.field_errors
    assert not MicroProject.objects.exists()


def test_another_organisation_cannot_see_or_act_on_the_project(world):
    project = propose(world)
    with pytest.raises(NotFound):
        services.project_approve(user=world.other_supervisor, project_id=project.pk)
    with pytest.raises(NotFound):
        services.project_approve(user=world.admin, project_id=project.pk)
