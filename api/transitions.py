"""The journey steps a user can take on a case through the API, each one service call.

``GET /cases/{id}/transitions/`` lists them with whether the user's role allows them and whether
the case is ready for them (and if not, what is missing); ``POST /cases/{id}/transitions/{name}/``
takes one with its data. The steps, their guards and their services are
``casework.actions.CASE_ACTIONS``, the table the case page renders from too; this module only
adds each step's request body. The services decide, and refuse with the same reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework import serializers as drf

from casework.actions import CASE_ACTIONS, CaseAction

from . import serializers as s

# The request body of each step.
INPUTS: dict[str, type[drf.Serializer]] = {
    "consent": s.ConsentInput,
    "assign_mentor": s.AssignMentorInput,
    "advance": s.FromStageInput,
    "suspend": s.SuspendInput,
    "resume": s.EmptyInput,
    "close": s.CloseInput,
    "reopen": s.ReopenInput,
    "plan_submit": s.EmptyInput,
    "plan_approve": s.PlanApproveInput,
    "plan_return": s.PlanReturnInput,
}


@dataclass(frozen=True)
class Transition:
    action: CaseAction
    input: type[drf.Serializer]

    @property
    def name(self) -> str:
        return self.action.name

    @property
    def label(self):
        return self.action.label

    @property
    def description(self) -> str:
        return self.action.description

    def allowed(self, user, case) -> bool:
        return self.action.allowed(user, case)

    def missing(self, case, user) -> list[str]:
        return self.action.missing_for(case, user)

    def run(self, user, case, data: dict):
        return self.action.run(user, case, data)


TRANSITIONS: dict[str, Transition] = {
    name: Transition(action=action, input=INPUTS[name]) for name, action in CASE_ACTIONS.items()
}
