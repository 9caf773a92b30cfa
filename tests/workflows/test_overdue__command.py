"""Overdue reminders: the assignee is reminded at most once a day, the organisation's
supervisors get one escalation after the grace period, and runs are idempotent."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from casework import services
from notifications.events import Event
from notifications.models import Notification
from workflows import deadlines, engine
from workflows.models import CaseTask
from workflows.overdue import notify_overdue

from ..journey import complete_intake, submit_plan

pytestmark = pytest.mark.django_db


def open_task(case):
    (task,) = engine.open_tasks(case)
    return task


DAY = datetime.timedelta(days=1)


def _alerts(event):
    return sorted(
        Notification.objects.filter(event=event).values_list("recipient__username", flat=True)
    )


def _due(case):
    (deadline,) = [d for d in deadlines.open_deadlines() if d.case.pk == case.pk]
    return deadline.due_at


def test_nothing_is_sent_before_the_due_date(world, case):
    run = notify_overdue(now=_due(case) - datetime.timedelta(minutes=1))
    assert (run.overdue_tasks, run.reminders, run.escalations) == (0, 0, 0)
    assert _alerts(Event.TASK_OVERDUE) == []


def _later_the_same_day(moment):
    """An hour later, or the last moment of the local day when that hour would cross midnight:
    "once a day" means once per calendar day in the programme's time zone."""
    local = timezone.localtime(moment)
    end_of_day = local.replace(hour=23, minute=59, second=59, microsecond=999999)
    return min(moment + datetime.timedelta(hours=1), end_of_day)


def test_the_assignee_is_reminded_once_a_day_while_the_task_is_overdue(world, case):
    due = _due(case)
    assert notify_overdue(now=due).reminders == 1
    assert notify_overdue(now=_later_the_same_day(due)).reminders == 0
    assert _alerts(Event.TASK_OVERDUE) == ["worker"]  # the intake is the social worker's
    reminder = Notification.objects.get(event=Event.TASK_OVERDUE)
    assert "Complete the intake" in reminder.title and case.number in reminder.title
    assert reminder.url == case.get_absolute_url()
    assert notify_overdue(now=due + DAY).reminders == 1
    assert _alerts(Event.TASK_OVERDUE) == ["worker", "worker"]


def test_after_the_grace_period_the_organisations_supervisors_get_one_escalation(world, case):
    late = _due(case) + deadlines.ESCALATION_GRACE + datetime.timedelta(hours=1)
    run = notify_overdue(now=late)
    assert (run.reminders, run.escalations) == (1, 1)
    assert _alerts(Event.TASK_ESCALATED) == ["supervisor", "supervisor2"]  # not other_supervisor
    escalation = Notification.objects.filter(event=Event.TASK_ESCALATED).first()
    assert "Overdue for 3 days" in escalation.title
    assert world.worker.get_full_name() in escalation.title
    assert notify_overdue(now=late + DAY).escalations == 0
    assert _alerts(Event.TASK_ESCALATED) == ["supervisor", "supervisor2"]


def test_a_pooled_approval_reminds_the_teams_supervisors_and_escalates_to_no_one_else(world, case):
    complete_intake(case, world)
    submit_plan(case, world)
    run = notify_overdue(now=_due(case) + deadlines.ESCALATION_GRACE + DAY)
    assert _alerts(Event.TASK_OVERDUE) == ["supervisor", "supervisor2"]
    assert (run.escalations, _alerts(Event.TASK_ESCALATED)) == (0, [])


def test_a_reassigned_task_reminds_the_new_mentor_only(world, case):
    complete_intake(case, world)
    services.case_assign_mentor(user=world.worker, case_id=case.pk, mentor_id=world.mentor2.pk)
    notify_overdue(now=_due(case))
    assert _alerts(Event.TASK_OVERDUE) == ["mentor2"]


def test_a_reminder_is_withdrawn_from_the_old_mentor_when_the_task_moves(world, case):
    complete_intake(case, world)
    notify_overdue(now=_due(case))
    reminder = Notification.objects.get(event=Event.TASK_OVERDUE)
    services.case_assign_mentor(user=world.worker, case_id=case.pk, mentor_id=world.mentor2.pk)
    reminder.refresh_from_db()
    assert reminder.withdrawn


def test_the_command_is_idempotent_and_says_what_it_did(world, case, capsys):
    task = open_task(case)
    CaseTask.objects.filter(pk=task.pk).update(created=timezone.now() - 18 * DAY)
    call_command("notify_overdue")
    assert "overdue tasks: 1; reminders sent: 1; escalations: 1" in capsys.readouterr().out
    call_command("notify_overdue")
    assert "overdue tasks: 1; reminders sent: 0; escalations: 0" in capsys.readouterr().out
    assert _alerts(Event.TASK_OVERDUE) == ["worker"]
    assert _alerts(Event.TASK_ESCALATED) == ["supervisor", "supervisor2"]
