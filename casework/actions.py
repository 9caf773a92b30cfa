"""The case's journey actions, declared once: the case page and the API both render from here.

Each action names its permission (``permissions.Action``), the guard that says what the case
still lacks for it (``guards.py`` or the stage's requirements in ``journey.py``, the very
functions the service refuses with) and the service it runs, with its data as plain values
(ids, dates, text). The web page adds a form and where on the page it shows
(``web.casework.views``), the API a serializer (``api.transitions``); neither re-states a guard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from . import guards, services
from .models import Case
from .permissions import Action, can


def _plan(case: Case):
    return getattr(case, "plan", None)


@dataclass(frozen=True)
class CaseAction:
    name: str
    label: Any
    permission: str
    missing: Callable[[Case, Any], list[str]]
    run: Callable[[Any, Case, dict], Any]
    description: str
    # Beyond the role's permission: four eyes on the plan.
    also_allowed: Callable[[Case, Any], bool] | None = None

    def allowed(self, user, case: Case) -> bool:
        """The user's role may take this action on this case (ready or not)."""
        if not can(user, self.permission, case):
            return False
        return self.also_allowed is None or self.also_allowed(case, user)

    def missing_for(self, case: Case, user) -> list[str]:
        """What the case lacks for the action, as the service would refuse (empty: ready)."""
        return [str(item) for item in self.missing(case, user)]


def _advance_missing(case: Case, user) -> list[str]:
    return case.missing_to_advance()


CASE_ACTIONS: dict[str, CaseAction] = {
    action.name: action
    for action in [
        CaseAction(
            name="consent",
            label=_("Record consent"),
            permission=Action.EDIT_CLIENT,
            missing=lambda case, user: guards.active(case),
            run=lambda user, case, data: services.case_record_consent(
                user=user, case_id=case.pk, given_on=data["given_on"]
            ),
            description="Intake: record the date the client consented to data processing.",
        ),
        CaseAction(
            name="assign_mentor",
            label=_("Assign a mentor"),
            permission=Action.ASSIGN_MENTOR,
            missing=lambda case, user: guards.active(case),
            run=lambda user, case, data: services.case_assign_mentor(
                user=user, case_id=case.pk, mentor_id=data["mentor"]
            ),
            description="Assign or change the mentor (an active mentor of the case's "
            "organisation); their open tasks move with the case.",
        ),
        CaseAction(
            name="advance",
            label=_("Move to the next stage"),
            permission=Action.ADVANCE,
            missing=_advance_missing,
            run=lambda user, case, data: services.case_advance(
                user=user, case_id=case.pk, from_stage=data.get("from_stage")
            ),
            description="Move the case to the next stage its programme uses. 422 lists what "
            "the current stage still needs; leaving planning happens only by plan_approve.",
        ),
        CaseAction(
            name="suspend",
            label=_("Suspend"),
            permission=Action.SUSPEND,
            missing=lambda case, user: guards.suspendable(case),
            run=lambda user, case, data: services.case_suspend(
                user=user,
                case_id=case.pk,
                reason=data["reason"],
                from_stage=data.get("from_stage"),
            ),
            description="Suspend an active case; resume returns it to the stage it left.",
        ),
        CaseAction(
            name="resume",
            label=_("Resume"),
            permission=Action.RESUME,
            missing=lambda case, user: guards.resumable(case),
            run=lambda user, case, data: services.case_resume(user=user, case_id=case.pk),
            description="Resume a suspended case in the stage it left.",
        ),
        CaseAction(
            name="close",
            label=_("Close early"),
            permission=Action.CLOSE,
            missing=lambda case, user: guards.closable(case),
            run=lambda user, case, data: services.case_close_early(
                user=user,
                case_id=case.pk,
                outcome=data["outcome"],
                reason=data["reason"],
                from_stage=data.get("from_stage"),
            ),
            description="Close the case before the end of the journey, with an outcome and a "
            "reason.",
        ),
        CaseAction(
            name="reopen",
            label=_("Reopen"),
            permission=Action.REOPEN,
            missing=lambda case, user: guards.reopenable(case),
            run=lambda user, case, data: services.case_reopen(
                user=user,
                case_id=case.pk,
                reason=data["reason"],
                to_intake=bool(data.get("to_intake")),
            ),
            description="A supervisor reopens a closed case, back to the stage it left or to "
            "intake.",
        ),
        CaseAction(
            name="plan_submit",
            label=_("Submit the plan for approval"),
            permission=Action.DRAFT_PLAN,
            missing=lambda case, user: guards.plan_submittable(case, _plan(case)),
            run=lambda user, case, data: services.plan_submit(user=user, case_id=case.pk),
            description="The mentor sends the development plan (with goals and the client's "
            "agreement) to a supervisor.",
        ),
        CaseAction(
            name="plan_approve",
            label=_("Approve the plan"),
            permission=Action.APPROVE_PLAN,
            missing=lambda case, user: guards.plan_under_review(case, _plan(case)),
            run=lambda user, case, data: services.plan_approve(
                user=user, case_id=case.pk, comment=data.get("comment", "")
            ),
            also_allowed=lambda case, user: guards.not_the_plan_author(_plan(case), user),
            description="A supervisor other than the author approves the plan; the case moves "
            "on to its next stage at once.",
        ),
        CaseAction(
            name="plan_return",
            label=_("Return the plan for changes"),
            permission=Action.APPROVE_PLAN,
            missing=lambda case, user: guards.plan_under_review(case, _plan(case)),
            run=lambda user, case, data: services.plan_return(
                user=user, case_id=case.pk, comment=data["comment"]
            ),
            also_allowed=lambda case, user: guards.not_the_plan_author(_plan(case), user),
            description="A supervisor other than the author returns the plan, saying what "
            "should change.",
        ),
    ]
}
