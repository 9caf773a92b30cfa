"""Role × action, through the real services: every action of ``casework.permissions.Action`` tried
by every kind of user, against a table written out below so that a reader sees who may do what.

OK  the service does it.
NA  NotAllowed: the user sees the case, but their role may not do this (nothing written).
NF  NotFound: the case is outside the user's scope, indistinguishable from no case at all.
"""

import pytest
from django.db import transaction

from casework import services
from casework.journey import Stage
from casework.models import Outcome
from casework.permissions import ACTION_PERMISSIONS, Action, can
from kernel.errors import NotAllowed, NotFound

from ..journey import TODAY, submit_plan, to_stage
from .support import db_state, make_ready_to_leave, reload

pytestmark = pytest.mark.django_db

OK, NA, NF = "allowed", "NotAllowed", "NotFound"

USERS = [
    "worker",  # social worker of the case's organisation
    "mentor",  # the case's assigned mentor
    "mentor2",  # a mentor of the same organisation, not assigned to the case
    "supervisor",  # supervisor of the case's organisation
    "admin",  # programme admin: aggregates only, never case files
    "other_worker",  # social worker of the other organisation
    "other_mentor",  # mentor of the other organisation
    "other_supervisor",  # supervisor of the other organisation
]

# fmt: off
MATRIX = {
    #                   worker mentor mentor2 superv admin o_work o_ment o_sup
    "edit_client":      (OK,    NA,    NF,     OK,    NF,   NF,    NF,    NF),
    "assign_mentor":    (OK,    NA,    NF,     OK,    NF,   NF,    NF,    NF),
    "advance@intake":   (OK,    NA,    NF,     OK,    NF,   NF,    NF,    NF),
    "advance@planning": (NA,    NA,    NF,     NA,    NF,   NF,    NF,    NF),
    "advance@training": (OK,    OK,    NF,     OK,    NF,   NF,    NF,    NF),
    "draft_plan":       (NA,    OK,    NF,     NA,    NF,   NF,    NF,    NF),
    "approve_plan":     (NA,    NA,    NF,     OK,    NF,   NF,    NF,    NF),
    "record":           (OK,    OK,    NF,     NA,    NF,   NF,    NF,    NF),
    "suspend":          (OK,    NA,    NF,     OK,    NF,   NF,    NF,    NF),
    "resume":           (OK,    NA,    NF,     OK,    NF,   NF,    NF,    NF),
    "close":            (OK,    NA,    NF,     OK,    NF,   NF,    NF,    NF),
    "reopen":           (NA,    NA,    NF,     OK,    NF,   NF,    NF,    NF),
}
# fmt: on


def _intake_with_mentor(case, world):
    make_ready_to_leave(case, world)  # consent recorded, mentor assigned


def _planning(case, world):
    to_stage(case, world, Stage.PLANNING)


def _plan_submitted(case, world):
    to_stage(case, world, Stage.PLANNING)
    submit_plan(case, world)


def _training_ready(case, world):
    to_stage(case, world, Stage.TRAINING)
    make_ready_to_leave(case, world)


def _suspended(case, world):
    to_stage(case, world, Stage.TRAINING)
    services.case_suspend(user=world.worker, case_id=case.pk, reason="Ill")


def _closed(case, world):
    to_stage(case, world, Stage.TRAINING)
    services.case_close_early(
        user=world.worker, case_id=case.pk, outcome=Outcome.DROPPED_OUT, reason="Left"
    )


# row: (the Action it exercises, how the case is prepared, the service call)
ROWS = {
    "edit_client": (
        Action.EDIT_CLIENT,
        _intake_with_mentor,
        lambda u, c, w: services.case_record_consent(user=u, case_id=c.pk, given_on=TODAY),
    ),
    "assign_mentor": (
        Action.ASSIGN_MENTOR,
        _intake_with_mentor,
        lambda u, c, w: services.case_assign_mentor(user=u, case_id=c.pk, mentor_id=w.mentor2.pk),
    ),
    "advance@intake": (
        Action.ADVANCE,
        _intake_with_mentor,
        lambda u, c, w: services.case_advance(user=u, case_id=c.pk, from_stage=Stage.INTAKE),
    ),
    "advance@planning": (
        Action.ADVANCE,
        _plan_submitted,
        lambda u, c, w: services.case_advance(user=u, case_id=c.pk, from_stage=Stage.PLANNING),
    ),
    "advance@training": (
        Action.ADVANCE,
        _training_ready,
        lambda u, c, w: services.case_advance(user=u, case_id=c.pk, from_stage=Stage.TRAINING),
    ),
    "draft_plan": (
        Action.DRAFT_PLAN,
        _planning,
        lambda u, c, w: services.plan_save(user=u, case_id=c.pk, summary="Strengths"),
    ),
    "approve_plan": (
        Action.APPROVE_PLAN,
        _plan_submitted,
        lambda u, c, w: services.plan_approve(user=u, case_id=c.pk),
    ),
    "record": (
        Action.RECORD,
        _training_ready,
        lambda u, c, w: services.referral_create(
            user=u, case_id=c.pk, partner_id=w.labour_office.pk, purpose="Job-search support"
        ),
    ),
    "suspend": (
        Action.SUSPEND,
        _training_ready,
        lambda u, c, w: services.case_suspend(user=u, case_id=c.pk, reason="Ill"),
    ),
    "resume": (
        Action.RESUME,
        _suspended,
        lambda u, c, w: services.case_resume(user=u, case_id=c.pk),
    ),
    "close": (
        Action.CLOSE,
        _training_ready,
        lambda u, c, w: services.case_close_early(
            user=u, case_id=c.pk, outcome=Outcome.MOVED_AWAY, reason="Moved"
        ),
    ),
    "reopen": (
        Action.REOPEN,
        _closed,
        lambda u, c, w: services.case_reopen(user=u, case_id=c.pk, reason="Back"),
    ),
}


class _Undo(Exception):
    """Rolls back an allowed action, so that every user of a row meets the same case."""


def _outcome(call, actor, case, world) -> str:
    before = db_state()
    try:
        with transaction.atomic():
            call(actor, case, world)
            wrote = db_state() != before
            raise _Undo
    except _Undo:
        assert wrote, "an allowed action must write something"
        return OK
    except NotAllowed:
        outcome = NA
    except NotFound:
        outcome = NF
    assert db_state() == before, "a refused action must write nothing"
    return outcome


def test_the_matrix_covers_every_action_of_the_permission_table():
    assert set(MATRIX) == set(ROWS)
    assert {action for action, _prepare, _call in ROWS.values()} == set(ACTION_PERMISSIONS)


@pytest.mark.parametrize("row", list(MATRIX))
def test_each_user_gets_the_outcome_of_the_matrix_and_the_ui_check_agrees(world, case, row):
    """Each user of the row acts on the same prepared case; an allowed action is rolled back
    after it is checked, so the next user meets the case unchanged."""
    action, prepare, call = ROWS[row]
    prepare(case, world)
    expected = dict(zip(USERS, MATRIX[row], strict=True))

    # What the UI offers (``can``, which assumes the case is in scope) matches the service.
    in_scope = [user for user in USERS if expected[user] != NF]
    fresh = reload(case)
    assert {user: can(getattr(world, user), action, fresh) for user in in_scope} == {
        user: expected[user] == OK for user in in_scope
    }

    outcomes = {user: _outcome(call, getattr(world, user), case, world) for user in USERS}

    assert outcomes == expected
