"""What a case action still needs, as the translated sentences a refusal shows.

Each function answers the list of what is missing (empty: the action may go ahead). The services
call them and refuse with exactly that list; the case-action registry (``actions.py``) calls the
same functions to tell the UI and the API beforehand. So every guard and its message exist
once. What a *stage* needs before the case leaves it is ``journey.py``'s page of requirements,
which uses ``plan_content`` from here for the plan's part.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from kernel.choices import PlanStatus, Stage

if TYPE_CHECKING:
    from .models import Case, DevelopmentPlan


def active(case: Case) -> list[str]:
    if case.is_active:
        return []
    # Whole sentences: a stage name inserted after "is" would not agree with "case" in Slovak.
    if case.stage == Stage.SUSPENDED:
        return [_("The case is suspended: nothing can be recorded on it.")]
    return [_("The case is closed: nothing can be recorded on it.")]


def in_stage(case: Case, stages: Iterable[str], refusal: str) -> list[str]:
    """A record is made only in ``stages``; ``refusal`` is the whole translated sentence saying
    so, with a ``%(stage)s`` placeholder (a record's name glued into a shared sentence would
    take the wrong case ending in Hungarian and Slovak)."""
    if case.stage in stages:
        return []
    return [refusal % {"stage": case.get_stage_display()}]


def suspendable(case: Case) -> list[str]:
    return [] if case.is_active else [_("Only an active case can be suspended.")]


def resumable(case: Case) -> list[str]:
    return [] if case.stage == Stage.SUSPENDED else [_("Only a suspended case can be resumed.")]


def closable(case: Case) -> list[str]:
    return [] if case.stage != Stage.CLOSED else [_("The case is already closed.")]


def reopenable(case: Case) -> list[str]:
    return [] if case.stage == Stage.CLOSED else [_("Only a closed case can be reopened.")]


def plan_content(plan: DevelopmentPlan) -> list[str]:
    """What the plan itself lacks before it can be submitted (and the case leave planning)."""
    missing = []
    if not plan.goals.all():
        missing.append(_("Add at least one goal to the development plan."))
    if not plan.client_agreed_on:
        missing.append(_("Record the date the client agreed to the plan."))
    return missing


def plan_drafted(plan: DevelopmentPlan | None) -> list[str]:
    return [] if plan is not None else [_("Draft the development plan.")]


def plan_editable(case: Case, plan: DevelopmentPlan | None) -> list[str]:
    """The plan is drafted in planning, and not while it waits for a supervisor."""
    missing = in_stage(
        case,
        [Stage.PLANNING],
        _("The development plan cannot be recorded while the case is in the stage: %(stage)s."),
    )
    if not missing and plan is not None and not plan.is_editable:
        missing.append(_("The plan is waiting for approval and cannot be changed now."))
    return missing


def plan_submittable(case: Case, plan: DevelopmentPlan | None) -> list[str]:
    return plan_editable(case, plan) or plan_drafted(plan) or plan_content(plan)


def plan_under_review(case: Case, plan: DevelopmentPlan | None) -> list[str]:
    if case.stage != Stage.PLANNING or plan is None or plan.status != PlanStatus.SUBMITTED:
        return [_("There is no plan waiting for approval on this case.")]
    return []


def not_the_plan_author(plan: DevelopmentPlan | None, user) -> bool:
    """Four eyes: the author of a plan never approves or returns it."""
    return plan is None or plan.author_id != user.pk
