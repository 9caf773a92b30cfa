"""Shared helpers of the audit tests: a case with every kind of record, reached through the real
services, and small readers of the audit tables."""

from __future__ import annotations

from django.apps import apps

from audit import registry
from casework import services
from casework.journey import Stage
from casework.models import Case
from privacy import services as privacy_services
from tests.journey import TODAY, to_stage


def busy_case(case: Case, world) -> Case:
    """``case`` driven to closed, touching every kind of record on the way: client edits, a
    suspension with a free-text reason, a referral answered, a goal achieved, an attendance
    correction, screening, placement and both follow-ups."""
    services.client_update(user=world.worker, client_id=case.client_id, data={"phone": "+36 1"})
    to_stage(case, world, Stage.PLANNING)
    services.case_suspend(user=world.worker, case_id=case.pk, reason="moved to Budapest for work")
    services.case_resume(user=world.supervisor, case_id=case.pk)
    to_stage(case, world, Stage.TRAINING)
    referral = services.referral_create(
        user=world.mentor, case_id=case.pk, partner_id=world.labour_office.pk, purpose="Job fair"
    )
    services.referral_record_answer(
        user=world.mentor, referral_id=referral.pk, answer="Invited", answered_on=TODAY
    )
    goal = case.plan.goals.first()
    services.goal_mark_achieved(user=world.mentor, goal_id=goal.pk)
    to_stage(case, world, Stage.SCREENING)
    attendance = case.attendance.order_by("id").first()
    services.attendance_set(user=world.mentor, attendance_id=attendance.pk, present=False)
    services.client_update(
        user=world.supervisor,
        client_id=case.client_id,
        data={"target_groups": ["single_parent", "homeless"]},
    )
    privacy_services.special_category_record(
        user=world.supervisor, case=case, category="disability", answer="yes", note="wheelchair"
    )
    return to_stage(case, world, Stage.CLOSED)


def history_rows():
    """(model label, history row) for every row of every history table."""
    for model in registry.tracked_models():
        for row in registry.history_model(model).objects.values():
            yield model._meta.label_lower, row


def history_model(label: str):
    return registry.history_model(apps.get_model(label))
