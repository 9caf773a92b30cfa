"""The client journey: its stages, their order, and what each stage needs before a case leaves it.

Kept apart from the models so that the rules read as one page (DESIGN.md section 4). Every
requirement answers with a translated sentence naming what is missing, so that a blocked step can
tell the user exactly what to do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

import privacy
from kernel.choices import FollowUpStatus, PlanStatus, Stage

from . import guards

if TYPE_CHECKING:
    from .models import Case


def next_stage(current: str, programme_stages: list[str]) -> str:
    """The stage after ``current`` among the stages the programme uses."""
    later = Stage.journey()[Stage.journey().index(current) + 1 :]
    for stage in later:
        if stage in programme_stages:
            return stage
    return Stage.CLOSED


def exit_requirements_missing(case: Case) -> list[str]:
    """What ``case`` still needs before it may leave its current stage; empty when ready."""
    check = _EXIT_REQUIREMENTS.get(case.stage)
    return check(case) if check else [_("The case is not in an active stage.")]


def _intake(case: Case) -> list[str]:
    missing = []
    # The consent in force today (privacy), not only the date once recorded: a withdrawn or
    # expired service-provision consent blocks the intake again.
    if not privacy.has_consent(case, privacy.Purpose.SERVICE):
        missing.append(privacy.missing_consent_message(privacy.Purpose.SERVICE))
    entry_gaps = case.client.missing_entry_data()
    if entry_gaps:
        missing.append(
            _("Complete the client's entry data: %(fields)s.") % {"fields": ", ".join(entry_gaps)}
        )
    if not case.mentor_id:
        missing.append(_("Assign a mentor."))
    return missing


def _planning(case: Case) -> list[str]:
    plan = getattr(case, "plan", None)
    if plan is None:
        return guards.plan_drafted(plan)
    missing = guards.plan_content(plan)
    if plan.status != PlanStatus.APPROVED:
        missing.append(_("A supervisor other than the author must approve the plan."))
    return missing


def _training(case: Case) -> list[str]:
    attended = case.attendance.filter(present=True).count()
    needed = case.programme.attendance_threshold
    if attended < needed:
        return [
            ngettext(
                "The client attended %(attended)s of the %(needed)s session required.",
                "The client attended %(attended)s of the %(needed)s sessions required.",
                needed,
            )
            % {"attended": attended, "needed": needed}
        ]
    return []


def _screening(case: Case) -> list[str]:
    if getattr(case, "screening", None) is None:
        return [_("Record the health screening as done or declined by the client.")]
    return []


def _placement(case: Case) -> list[str]:
    placement = getattr(case, "placement", None)
    if placement is None or not placement.exit_outcome:
        return [_("Record the client's outcome at exit (employed, in training, job-seeking …).")]
    return []


def _follow_up(case: Case) -> list[str]:
    pending = [
        str(follow_up.get_kind_display())
        for follow_up in case.follow_ups.all()
        if follow_up.status == FollowUpStatus.PENDING
    ]
    if pending:
        return [
            _("Record these follow-ups, or mark the client unreachable: %(kinds)s.")
            % {"kinds": ", ".join(pending)}
        ]
    return []


_EXIT_REQUIREMENTS = {
    Stage.INTAKE: _intake,
    Stage.PLANNING: _planning,
    Stage.TRAINING: _training,
    Stage.SCREENING: _screening,
    Stage.PLACEMENT: _placement,
    Stage.FOLLOW_UP: _follow_up,
}
