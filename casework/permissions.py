"""Who may do what to a case, in one table.

Scope (which cases a user can see at all) is a query: ``selectors.cases_visible_to``. Within that
scope, an action needs the role permission below. Services call ``require``; templates and the
journey buttons call ``can``, so the UI offers exactly what the service will accept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kernel.errors import NotAllowed

from .journey import Stage
from .selectors import in_own_scope

if TYPE_CHECKING:
    from .models import Case


class Action:
    EDIT_CLIENT = "edit_client"
    ASSIGN_MENTOR = "assign_mentor"
    ADVANCE = "advance"
    DRAFT_PLAN = "draft_plan"
    APPROVE_PLAN = "approve_plan"
    RECORD = "record"
    SUSPEND = "suspend"
    RESUME = "resume"
    CLOSE = "close"
    REOPEN = "reopen"


ACTION_PERMISSIONS = {
    Action.EDIT_CLIENT: "casework.change_client",
    Action.ASSIGN_MENTOR: "casework.assign_mentor",
    Action.ADVANCE: "casework.advance_case",
    Action.DRAFT_PLAN: "casework.draft_plan",
    Action.APPROVE_PLAN: "casework.approve_plan",
    Action.RECORD: "casework.record_casework",
    Action.SUSPEND: "casework.suspend_case",
    Action.RESUME: "casework.suspend_case",
    Action.CLOSE: "casework.close_case",
    Action.REOPEN: "casework.reopen_case",
}

# Leaving intake is the social worker's (or supervisor's) decision; leaving planning happens
# only through plan approval.
ADVANCE_PERMISSION_BY_STAGE = {
    Stage.INTAKE: "casework.complete_intake",
    Stage.PLANNING: None,
}


def can(user, action: str, case: Case) -> bool:
    """Whether ``user``'s role allows ``action`` on ``case``. Assumes ``case`` is in scope."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    permission = ACTION_PERMISSIONS[action]
    if action == Action.ADVANCE:
        permission = ADVANCE_PERMISSION_BY_STAGE.get(case.stage, permission)
        if permission is None:
            return False
    if not user.has_perm(permission):
        return False
    if not in_own_scope(user, case):
        return False  # opened by break-glass: for reading only
    if action == Action.DRAFT_PLAN:
        return case.mentor_id == user.pk
    return True


def require(user, action: str, case: Case) -> None:
    if not can(user, action, case):
        raise NotAllowed()
