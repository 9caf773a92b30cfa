"""The task boxes' table follows every change of a journey's tasks, in the same transaction:
transitions, Viewflow's own claim, a new mentor, suspension, follow-ups; nothing on rollback;
and ``rebuild`` writes the same rows the signals keep."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from casework import services
from casework.journey import Stage
from casework.models import FollowUpStatus
from workflows import deadlines, engine, open_tasks
from workflows.models import OpenTask

from ..casework.support import reload
from ..conftest import new_client
from ..journey import submit_plan, to_stage

pytestmark = pytest.mark.django_db

COLUMNS = ("task_id", "case_id", "organisation_id", "stage", "node", "owner_id", "due_at")


def rows(case=None):
    kept = OpenTask.objects.all() if case is None else OpenTask.objects.filter(case=case)
    return set(kept.values_list(*COLUMNS))


def test_an_opened_case_has_its_intake_task_in_the_social_workers_box(world, case):
    (task,) = engine.open_tasks(case)
    assert rows(case) == {
        (
            task.pk,
            case.pk,
            world.org.pk,
            Stage.INTAKE,
            "intake",
            world.worker.pk,
            task.created + deadlines.DUE_AFTER["intake"],
        )
    }


def test_a_transition_moves_the_row_to_the_next_task(world, case):
    to_stage(case, world, Stage.PLANNING)
    ((_, _, _, stage, node, owner, _),) = rows(case)
    assert (stage, node, owner) == (Stage.PLANNING, "draft_plan", world.mentor.pk)
    (task,) = engine.open_tasks(case)
    assert OpenTask.objects.get(case=case).task_id == task.pk


def test_a_submitted_plan_waits_in_the_queue_with_no_owner(world, case):
    to_stage(case, world, Stage.PLANNING)
    submit_plan(reload(case), world)
    row = OpenTask.objects.get(case=case)
    assert (row.node, row.owner_id) == ("approve_plan", None)
    assert row.owner_permission == f"casework.approve_plan@org:{world.org.pk}"


def test_a_claim_through_viewflow_itself_is_followed(world, case):
    to_stage(case, world, Stage.PLANNING)
    submit_plan(reload(case), world)
    (task,) = engine.open_tasks(case)
    # Outside any service, as Viewflow's own "assign" view does it.
    task.flow_task.activation_class(task).assign(world.supervisor)
    assert OpenTask.objects.get(case=case).owner_id == world.supervisor.pk


def test_a_new_mentor_takes_the_row_with_the_task(world, case):
    to_stage(case, world, Stage.TRAINING)
    services.case_assign_mentor(user=world.supervisor, case_id=case.pk, mentor_id=world.mentor2.pk)
    assert OpenTask.objects.get(case=case).owner_id == world.mentor2.pk


def test_a_suspended_case_leaves_every_box_and_comes_back_on_resume(world, case):
    to_stage(case, world, Stage.TRAINING)
    services.case_suspend(user=world.worker, case_id=case.pk, reason="In hospital")
    assert rows(case) == set()
    services.case_resume(user=world.supervisor, case_id=case.pk)
    assert {row[3:5] for row in rows(case)} == {(Stage.TRAINING, "training")}


def test_the_follow_up_task_is_due_with_the_next_pending_follow_up(world, case):
    case = to_stage(case, world, Stage.FOLLOW_UP)
    first, second = reload(case).follow_ups.order_by("due_on")
    row = OpenTask.objects.get(case=case)
    assert row.due_at == deadlines.end_of_day(first.due_on)
    services.follow_up_record(
        user=world.mentor,
        follow_up_id=first.pk,
        status=FollowUpStatus.UNREACHABLE,
        contacted_on=None,
    )
    row.refresh_from_db()
    assert row.due_at == deadlines.end_of_day(second.due_on)


def test_a_rolled_back_transition_leaves_the_boxes_as_they_were(world, case):
    to_stage(case, world, Stage.PLANNING)
    before = rows()
    with pytest.raises(RuntimeError), transaction.atomic():
        submit_plan(reload(case), world)
        raise RuntimeError("the request failed after the service")
    assert rows() == before


def test_rebuild_writes_the_rows_the_signals_keep(world, case):
    to_stage(case, world, Stage.SCREENING)
    for name in ("Rebuild", "Anew"):
        services.case_open(
            user=world.worker,
            client_id=new_client(world, family_name=name).pk,
            programme_id=world.programme.pk,
        )
    kept = rows()
    assert len(kept) == 3
    assert open_tasks.rebuild() == 3
    assert rows() == kept


def test_a_closed_case_has_no_row(world, case):
    services.case_close_early(
        user=world.supervisor, case_id=case.pk, outcome="ineligible", reason="Not eligible"
    )
    assert rows(case) == set()


def test_overdue_rows_are_those_past_their_due_moment(world, case):
    to_stage(case, world, Stage.PLANNING)
    (task,) = engine.open_tasks(case)
    task.created = timezone.now() - datetime.timedelta(days=22)
    task.save(update_fields=["created"])
    row = OpenTask.objects.get(case=case)
    assert row.due_at == task.created + deadlines.DUE_AFTER["draft_plan"]
    assert row.due_at < timezone.now()
