"""Helpers shared by the service-layer tests (casework and workflows).

Looking: what the case's flow has open, its newest history row, and a fingerprint of every
domain, flow and notification row, so that a refused action can be proved to have written
nothing at all. Acting: ``make_ready_to_leave`` and ``leave_stage`` split ``tests.journey``'s
steps into "record what the stage needs" and "the transition", through the real services only.
"""

from __future__ import annotations

import dataclasses

from django.apps import apps

from casework import services
from casework.journey import Stage
from casework.models import Case, DevelopmentPlan, ExitOutcome, FollowUpStatus, ScreeningStatus
from workflows import engine

from ..journey import TODAY, attend_sessions, submit_plan

# Every app whose rows a service may write: the domain (with its history tables), the flow's
# processes and tasks, and the notifications.
_WRITTEN_APPS = ("casework", "viewflow", "notifications")


def open_task_names(case: Case) -> set[str]:
    return {task.flow_task.name for task in engine.open_tasks(case)}


def open_task(case: Case):
    """The one open task of ``case`` (fails when there is not exactly one)."""
    tasks = list(engine.open_tasks(case))
    assert len(tasks) == 1, [task.flow_task.name for task in tasks]
    return tasks[0]


def latest_history(case: Case):
    return case.history.order_by("-history_id").first()


def db_state() -> dict[str, list[dict]]:
    """Every row of every table a service can write, to compare before and after a refusal."""
    state = {}
    for app_label in _WRITTEN_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.proxy:
                continue
            rows = model._default_manager.order_by("pk")
            # History tables only ever grow: their size says whether a row was added.
            is_history = model.__name__.startswith("Historical")
            state[model._meta.label] = rows.count() if is_history else list(rows.values())
    return state


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def with_the_cases_mentor(world, case: Case):
    """``world`` whose ``mentor`` is the case's mentor (another may have been assigned)."""
    return dataclasses.replace(world, mentor=case.mentor or world.mentor)


def make_ready_to_leave(case: Case, world) -> None:
    """Record, through the real services, everything the case's current stage needs before it
    may leave it, without leaving it. Planning is left only by approval, so its plan is
    submitted here and the approval is the transition."""
    case = reload(case)
    stage = case.stage
    world = with_the_cases_mentor(world, case)
    if stage == Stage.INTAKE:
        services.case_record_consent(user=world.worker, case_id=case.pk, given_on=TODAY)
        services.case_assign_mentor(user=world.worker, case_id=case.pk, mentor_id=world.mentor.pk)
    elif stage == Stage.PLANNING:
        plan = DevelopmentPlan.objects.filter(case=case).first()
        if plan is None or plan.is_editable:
            submit_plan(case, world)
    elif stage == Stage.TRAINING:
        attend_sessions(case, world, reload(case).programme.attendance_threshold)
    elif stage == Stage.SCREENING:
        services.screening_record(
            user=world.mentor, case_id=case.pk, status=ScreeningStatus.DONE, screened_on=TODAY
        )
    elif stage == Stage.PLACEMENT:
        services.placement_save(
            user=world.mentor, case_id=case.pk, exit_outcome=ExitOutcome.JOB_SEEKING
        )
    elif stage == Stage.FOLLOW_UP:
        for follow_up in reload(case).follow_ups.order_by("due_on"):
            services.follow_up_record(
                user=world.mentor,
                follow_up_id=follow_up.pk,
                status=FollowUpStatus.UNREACHABLE,
                contacted_on=None,
            )
    else:  # pragma: no cover - a test asked for something that cannot be
        raise AssertionError(f"nothing to prepare in {stage}")


def leave_stage(case: Case, world) -> Case:
    """The transition out of the current stage, by the user who normally takes it."""
    case = reload(case)
    stage = case.stage
    world = with_the_cases_mentor(world, case)
    if stage == Stage.PLANNING:
        services.plan_approve(user=world.supervisor, case_id=case.pk)
        return reload(case)
    actor = world.worker if stage == Stage.INTAKE else world.mentor
    return services.case_advance(user=actor, case_id=case.pk, from_stage=stage)
