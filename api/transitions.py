"""The journey steps a user can take on a case, each one service call.

``GET /cases/{id}/transitions/`` lists them with whether the user's role allows them and whether
the case is ready for them (and if not, what is missing); ``POST /cases/{id}/transitions/{name}/``
takes one with its data. The checks here only inform: the services decide, and refuse with the
same reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers as drf

from casework import services
from casework.journey import Stage
from casework.models import Case, PlanStatus
from casework.permissions import Action, can

from . import serializers as s


def _active(case: Case) -> list[str]:
    if case.is_active:
        return []
    return [
        _("The case is %(stage)s: nothing can be recorded on it.")
        % {"stage": case.get_stage_display()}
    ]


def _only_in(stage: str, message: str) -> Callable[[Case, Any], list[str]]:
    return lambda case, user: [] if case.stage == stage else [_(message)]


def _plan(case: Case):
    return getattr(case, "plan", None)


def _plan_submit_missing(case: Case, user) -> list[str]:
    if case.stage != Stage.PLANNING:
        return [
            _("%(what)s cannot be recorded while the case is in the stage: %(stage)s.")
            % {"what": _("The development plan"), "stage": case.get_stage_display()}
        ]
    plan = _plan(case)
    if plan is None:
        return [_("Draft the development plan.")]
    if not plan.is_editable:
        return [_("The plan is waiting for approval and cannot be changed now.")]
    missing = []
    if not plan.goals.all():
        missing.append(_("Add at least one goal to the development plan."))
    if not plan.client_agreed_on:
        missing.append(_("Record the date the client agreed to the plan."))
    return missing


def _plan_review_missing(case: Case, user) -> list[str]:
    plan = _plan(case)
    if case.stage != Stage.PLANNING or plan is None or plan.status != PlanStatus.SUBMITTED:
        return [_("There is no plan waiting for approval on this case.")]
    return []


def _not_plan_author(case: Case, user) -> bool:
    plan = _plan(case)
    return plan is None or plan.author_id != user.pk


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    action: str
    input: type[drf.Serializer]
    run: Callable[[Any, Case, dict], Any]
    missing: Callable[[Case, Any], list[str]]
    description: str
    extra_allowed: Callable[[Case, Any], bool] | None = None

    def allowed(self, user, case: Case) -> bool:
        if not can(user, self.action, case):
            return False
        return self.extra_allowed is None or self.extra_allowed(case, user)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            name="consent",
            label=gettext_lazy("Record consent"),
            action=Action.EDIT_CLIENT,
            input=s.ConsentInput,
            run=lambda user, case, data: services.case_record_consent(
                user=user, case_id=case.pk, given_on=data["given_on"]
            ),
            missing=lambda case, user: _active(case),
            description="Intake: record the date the client consented to data processing.",
        ),
        Transition(
            name="assign_mentor",
            label=gettext_lazy("Assign a mentor"),
            action=Action.ASSIGN_MENTOR,
            input=s.AssignMentorInput,
            run=lambda user, case, data: services.case_assign_mentor(
                user=user, case_id=case.pk, mentor_id=data["mentor"]
            ),
            missing=lambda case, user: _active(case),
            description="Assign or change the mentor (an active mentor of the case's "
            "organisation); their open tasks move with the case.",
        ),
        Transition(
            name="advance",
            label=gettext_lazy("Move to the next stage"),
            action=Action.ADVANCE,
            input=s.FromStageInput,
            run=lambda user, case, data: services.case_advance(
                user=user, case_id=case.pk, from_stage=data["from_stage"]
            ),
            missing=lambda case, user: [str(item) for item in case.missing_to_advance()],
            description="Move the case to the next stage its programme uses. 422 lists what "
            "the current stage still needs; leaving planning happens only by plan_approve.",
        ),
        Transition(
            name="suspend",
            label=gettext_lazy("Suspend"),
            action=Action.SUSPEND,
            input=s.SuspendInput,
            run=lambda user, case, data: services.case_suspend(
                user=user, case_id=case.pk, reason=data["reason"], from_stage=data["from_stage"]
            ),
            missing=lambda case, user: []
            if case.is_active
            else [_("Only an active case can be suspended.")],
            description="Suspend an active case; resume returns it to the stage it left.",
        ),
        Transition(
            name="resume",
            label=gettext_lazy("Resume"),
            action=Action.RESUME,
            input=s.EmptyInput,
            run=lambda user, case, data: services.case_resume(user=user, case_id=case.pk),
            missing=_only_in(Stage.SUSPENDED, "Only a suspended case can be resumed."),
            description="Resume a suspended case in the stage it left.",
        ),
        Transition(
            name="close",
            label=gettext_lazy("Close early"),
            action=Action.CLOSE,
            input=s.CloseInput,
            run=lambda user, case, data: services.case_close_early(
                user=user,
                case_id=case.pk,
                outcome=data["outcome"],
                reason=data["reason"],
                from_stage=data["from_stage"],
            ),
            missing=lambda case, user: []
            if case.stage != Stage.CLOSED
            else [_("The case is already closed.")],
            description="Close the case before the end of the journey, with an outcome and a "
            "reason.",
        ),
        Transition(
            name="reopen",
            label=gettext_lazy("Reopen"),
            action=Action.REOPEN,
            input=s.ReopenInput,
            run=lambda user, case, data: services.case_reopen(
                user=user, case_id=case.pk, reason=data["reason"], to_intake=data["to_intake"]
            ),
            missing=_only_in(Stage.CLOSED, "Only a closed case can be reopened."),
            description="A supervisor reopens a closed case, back to the stage it left or to "
            "intake.",
        ),
        Transition(
            name="plan_submit",
            label=gettext_lazy("Submit the plan for approval"),
            action=Action.DRAFT_PLAN,
            input=s.EmptyInput,
            run=lambda user, case, data: services.plan_submit(user=user, case_id=case.pk),
            missing=_plan_submit_missing,
            description="The mentor sends the development plan (with goals and the client's "
            "agreement) to a supervisor.",
        ),
        Transition(
            name="plan_approve",
            label=gettext_lazy("Approve the plan"),
            action=Action.APPROVE_PLAN,
            input=s.PlanApproveInput,
            run=lambda user, case, data: services.plan_approve(
                user=user, case_id=case.pk, comment=data["comment"]
            ),
            missing=_plan_review_missing,
            extra_allowed=_not_plan_author,
            description="A supervisor other than the author approves the plan; the case moves "
            "on to its next stage at once.",
        ),
        Transition(
            name="plan_return",
            label=gettext_lazy("Return the plan for changes"),
            action=Action.APPROVE_PLAN,
            input=s.PlanReturnInput,
            run=lambda user, case, data: services.plan_return(
                user=user, case_id=case.pk, comment=data["comment"]
            ),
            missing=_plan_review_missing,
            extra_allowed=_not_plan_author,
            description="A supervisor other than the author returns the plan, saying what "
            "should change.",
        ),
    ]
}
