"""Every exit guard of the journey answers with a clear message naming what is missing, and an
illegal transition (wrong stage, guard unmet, wrong role) changes nothing at all."""

import pytest

from casework import services
from casework.journey import Stage
from casework.models import (
    ExitOutcome,
    FollowUpKind,
    FollowUpStatus,
    GoalArea,
    Outcome,
    ScreeningStatus,
    SessionFormat,
    SessionKind,
)
from kernel.errors import GuardFailed, NotAllowed

from ..conftest import new_client
from ..factories import MembershipFactory, ProgrammeFactory
from ..journey import TODAY, attend_sessions, submit_plan, to_stage
from .support import db_state, open_task_names, reload

pytestmark = pytest.mark.django_db

CONSENT = "Record the client's consent to data processing."
MENTOR = "Assign a mentor."


def _advance_refused(case, user) -> GuardFailed:
    stage = reload(case).stage
    before = db_state()
    with pytest.raises(GuardFailed) as refused:
        services.case_advance(user=user, case_id=case.pk, from_stage=stage)
    assert db_state() == before
    return refused.value


def _details(error) -> list[str]:
    return [str(detail) for detail in error.details]


# -- intake -------------------------------------------------------------------------------------


def test_intake_needs_consent_and_a_mentor_and_names_both(world, case):
    error = _advance_refused(case, world.worker)

    assert _details(error) == [CONSENT, MENTOR]
    assert str(error.message) == "This step cannot be taken yet."


def test_intake_names_every_missing_esf_entry_field(world):
    client = new_client(world, birth_year=None, gender="", education_level="", target_groups=[])
    case = services.case_open(
        user=world.worker, client_id=client.pk, programme_id=world.programme.pk
    )
    services.case_record_consent(user=world.worker, case_id=case.pk, given_on=TODAY)
    services.case_assign_mentor(user=world.worker, case_id=case.pk, mentor_id=world.mentor.pk)

    error = _advance_refused(case, world.worker)

    assert _details(error) == [
        "Complete the client's entry data: year of birth, gender, education level at entry, "
        "target groups."
    ]


def test_intake_without_consent_alone_names_only_the_consent(world, case):
    services.case_assign_mentor(user=world.worker, case_id=case.pk, mentor_id=world.mentor.pk)

    assert _details(_advance_refused(case, world.worker)) == [CONSENT]


def test_intake_without_a_mentor_alone_names_only_the_mentor(world, case):
    services.case_record_consent(user=world.worker, case_id=case.pk, given_on=TODAY)

    assert _details(_advance_refused(case, world.supervisor)) == [MENTOR]


def test_intake_completed_once_the_client_entry_data_is_filled_in(world):
    client = new_client(world, household="")
    case = services.case_open(
        user=world.worker, client_id=client.pk, programme_id=world.programme.pk
    )
    services.case_record_consent(user=world.worker, case_id=case.pk, given_on=TODAY)
    services.case_assign_mentor(user=world.worker, case_id=case.pk, mentor_id=world.mentor.pk)
    assert _details(_advance_refused(case, world.worker)) == [
        "Complete the client's entry data: household situation."
    ]

    services.client_update(user=world.worker, client_id=client.pk, data={"household": "jobless"})
    case = services.case_advance(user=world.worker, case_id=case.pk, from_stage=Stage.INTAKE)

    assert case.stage == Stage.PLANNING


# -- planning -----------------------------------------------------------------------------------


def test_planning_requirements_name_the_plan_then_its_goals_date_and_approval(world, case):
    case = to_stage(case, world, Stage.PLANNING)
    assert reload(case).missing_to_advance() == ["Draft the development plan."]

    services.plan_save(user=world.mentor, case_id=case.pk, summary="Needs")

    assert reload(case).missing_to_advance() == [
        "Add at least one goal to the development plan.",
        "Record the date the client agreed to the plan.",
        "A supervisor other than the author must approve the plan.",
    ]


def test_plan_submit_refuses_a_plan_without_goals_or_agreement_date_and_names_both(world, case):
    case = to_stage(case, world, Stage.PLANNING)
    services.plan_save(user=world.mentor, case_id=case.pk, summary="Needs")
    before = db_state()

    with pytest.raises(GuardFailed) as refused:
        services.plan_submit(user=world.mentor, case_id=case.pk)

    assert _details(refused.value) == [
        "Add at least one goal to the development plan.",
        "Record the date the client agreed to the plan.",
    ]
    assert db_state() == before


def test_plan_submit_without_agreement_date_names_only_the_date(world, case):
    case = to_stage(case, world, Stage.PLANNING)
    services.goal_add(
        user=world.mentor, case_id=case.pk, area=GoalArea.HOUSING, description="Stable housing"
    )

    with pytest.raises(GuardFailed) as refused:
        services.plan_submit(user=world.mentor, case_id=case.pk)

    assert _details(refused.value) == ["Record the date the client agreed to the plan."]
    assert open_task_names(case) == {"draft_plan"}


def test_planning_is_left_only_by_approval_even_by_a_supervisor_with_a_complete_plan(world, case):
    case = to_stage(case, world, Stage.PLANNING)
    submit_plan(case, world)
    before = db_state()

    for user in (world.supervisor, world.worker, world.mentor):
        with pytest.raises(NotAllowed):
            services.case_advance(user=user, case_id=case.pk, from_stage=Stage.PLANNING)

    assert db_state() == before
    assert reload(case).missing_to_advance() == [
        "A supervisor other than the author must approve the plan."
    ]


# -- training -----------------------------------------------------------------------------------


def test_training_needs_the_attendance_threshold_and_absences_do_not_count(world, case):
    case = to_stage(case, world, Stage.TRAINING)
    attend_sessions(case, world, 1)
    session = services.session_record(
        user=world.mentor,
        kind=SessionKind.COUNSELLING,
        format=SessionFormat.INDIVIDUAL,
        topic="Budgeting",
        held_on=TODAY,
        attendance={case.pk: False},
    )

    error = _advance_refused(case, world.mentor)

    assert _details(error) == ["The client attended 1 of the 2 sessions required."]

    # The absence was a mistake: correcting the sheet meets the threshold.
    services.attendance_set(
        user=world.mentor, attendance_id=session.attendance.get().pk, present=True
    )
    case = services.case_advance(user=world.mentor, case_id=case.pk, from_stage=Stage.TRAINING)
    assert case.stage == Stage.SCREENING


def test_training_threshold_is_the_programmes_own(world):
    programme = ProgrammeFactory(attendance_threshold=4, planned_sessions=5)
    MembershipFactory(programme=programme, organisation=world.org)
    client = new_client(world)
    case = services.case_open(user=world.worker, client_id=client.pk, programme_id=programme.pk)
    case = to_stage(case, world, Stage.TRAINING)
    attend_sessions(case, world, 3)

    assert _details(_advance_refused(case, world.mentor)) == [
        "The client attended 3 of the 4 sessions required."
    ]

    attend_sessions(case, world, 1)
    assert services.case_advance(user=world.mentor, case_id=case.pk).stage == Stage.SCREENING


# -- screening, placement -----------------------------------------------------------------------


def test_screening_needs_a_recorded_screening(world, case):
    case = to_stage(case, world, Stage.SCREENING)

    assert _details(_advance_refused(case, world.mentor)) == [
        "Record the health screening as done or declined by the client."
    ]


@pytest.mark.parametrize("status", [ScreeningStatus.DONE, ScreeningStatus.DECLINED])
def test_screening_done_or_declined_both_let_the_case_move_on(world, case, status):
    case = to_stage(case, world, Stage.SCREENING)
    services.screening_record(user=world.mentor, case_id=case.pk, status=status, screened_on=TODAY)

    case = services.case_advance(user=world.mentor, case_id=case.pk, from_stage=Stage.SCREENING)

    assert case.stage == Stage.PLACEMENT


def test_placement_needs_the_outcome_at_exit_even_when_a_placement_is_recorded(world, case):
    case = to_stage(case, world, Stage.PLACEMENT)
    message = ["Record the client's outcome at exit (employed, in training, job-seeking …)."]
    assert _details(_advance_refused(case, world.mentor)) == message

    services.placement_save(user=world.mentor, case_id=case.pk, employer="Ózdi Kft.")
    assert _details(_advance_refused(case, world.mentor)) == message

    services.placement_save(
        user=world.mentor, case_id=case.pk, exit_outcome=ExitOutcome.IN_EDUCATION
    )
    case = services.case_advance(user=world.mentor, case_id=case.pk, from_stage=Stage.PLACEMENT)
    assert case.stage == Stage.FOLLOW_UP


# -- follow-up ----------------------------------------------------------------------------------


def _follow_up(case, kind):
    return reload(case).follow_ups.get(kind=kind)


def test_follow_up_needs_both_follow_ups_and_names_the_pending_ones(world, case):
    case = to_stage(case, world, Stage.FOLLOW_UP)
    assert _details(_advance_refused(case, world.mentor)) == [
        "Record these follow-ups, or mark the client unreachable: "
        "first follow-up (4 weeks), second follow-up (6 months)."
    ]

    services.follow_up_record(
        user=world.mentor,
        follow_up_id=_follow_up(case, FollowUpKind.FIRST).pk,
        status=FollowUpStatus.REACHED,
        contacted_on=TODAY,
        situation=ExitOutcome.EMPLOYED,
    )

    assert _details(_advance_refused(case, world.mentor)) == [
        "Record these follow-ups, or mark the client unreachable: second follow-up (6 months)."
    ]


def test_follow_ups_marked_unreachable_let_the_case_close(world, case):
    case = to_stage(case, world, Stage.FOLLOW_UP)
    for kind in (FollowUpKind.FIRST, FollowUpKind.SECOND):
        services.follow_up_record(
            user=world.mentor,
            follow_up_id=_follow_up(case, kind).pk,
            status=FollowUpStatus.UNREACHABLE,
            contacted_on=None,
        )

    case = services.case_advance(user=world.mentor, case_id=case.pk, from_stage=Stage.FOLLOW_UP)

    assert (case.stage, case.outcome) == (Stage.CLOSED, Outcome.COMPLETED)


def test_the_second_follow_up_cannot_be_recorded_before_the_first(world, case):
    case = to_stage(case, world, Stage.FOLLOW_UP)
    before = db_state()

    with pytest.raises(GuardFailed) as refused:
        services.follow_up_record(
            user=world.mentor,
            follow_up_id=_follow_up(case, FollowUpKind.SECOND).pk,
            status=FollowUpStatus.UNREACHABLE,
            contacted_on=None,
        )

    assert str(refused.value.message) == "Record the first follow-up before the second."
    assert db_state() == before


# -- illegal transitions change nothing ---------------------------------------------------------


def _closed(case, world):
    services.case_close_early(
        user=world.worker, case_id=case.pk, outcome=Outcome.DROPPED_OUT, reason="Left"
    )


def _suspended(case, world):
    services.case_suspend(user=world.worker, case_id=case.pk, reason="Ill")


def _training(case, world):
    to_stage(case, world, Stage.TRAINING)


# name, how the case gets there, the refused call, the error and its message.
ILLEGAL = [
    (
        "resume an active case",
        _training,
        lambda w, c: services.case_resume(user=w.worker, case_id=c.pk),
        GuardFailed,
        "Only a suspended case can be resumed.",
    ),
    (
        "reopen an active case",
        _training,
        lambda w, c: services.case_reopen(user=w.supervisor, case_id=c.pk, reason="x"),
        GuardFailed,
        "Only a closed case can be reopened.",
    ),
    (
        "suspend a suspended case",
        _suspended,
        lambda w, c: services.case_suspend(user=w.worker, case_id=c.pk, reason="again"),
        GuardFailed,
        "Only an active case can be suspended.",
    ),
    (
        "advance a suspended case",
        _suspended,
        lambda w, c: services.case_advance(user=w.worker, case_id=c.pk),
        GuardFailed,
        "This step cannot be taken yet.",
    ),
    (
        "close a closed case",
        _closed,
        lambda w, c: services.case_close_early(
            user=w.worker, case_id=c.pk, outcome=Outcome.OTHER, reason="again"
        ),
        GuardFailed,
        "The case is already closed.",
    ),
    (
        "advance a closed case",
        _closed,
        lambda w, c: services.case_advance(user=w.supervisor, case_id=c.pk),
        GuardFailed,
        "This step cannot be taken yet.",
    ),
    (
        "record a screening in training",
        _training,
        lambda w, c: services.screening_record(
            user=w.mentor, case_id=c.pk, status=ScreeningStatus.DONE, screened_on=TODAY
        ),
        GuardFailed,
        "The health screening cannot be recorded while the case is in the stage: "
        "trainings and counselling.",
    ),
    (
        "advance training below the threshold",
        _training,
        lambda w, c: services.case_advance(user=w.mentor, case_id=c.pk),
        GuardFailed,
        "This step cannot be taken yet.",
    ),
    (
        "mentor completes the intake",
        lambda c, w: (
            services.case_record_consent(user=w.worker, case_id=c.pk, given_on=TODAY),
            services.case_assign_mentor(user=w.worker, case_id=c.pk, mentor_id=w.mentor.pk),
        ),
        lambda w, c: services.case_advance(user=w.mentor, case_id=c.pk),
        NotAllowed,
        "Your role does not allow this action on this case.",
    ),
    (
        "social worker reopens",
        _closed,
        lambda w, c: services.case_reopen(user=w.worker, case_id=c.pk, reason="back"),
        NotAllowed,
        "Your role does not allow this action on this case.",
    ),
    (
        "mentor suspends",
        _training,
        lambda w, c: services.case_suspend(user=w.mentor, case_id=c.pk, reason="Ill"),
        NotAllowed,
        "Your role does not allow this action on this case.",
    ),
]


@pytest.mark.parametrize(
    ("prepare", "act", "error", "message"),
    [row[1:] for row in ILLEGAL],
    ids=[row[0] for row in ILLEGAL],
)
def test_an_illegal_transition_changes_nothing(world, case, prepare, act, error, message):
    prepare(case, world)
    stage = reload(case).stage
    tasks = open_task_names(case)
    before = db_state()

    with pytest.raises(error) as refused:
        act(world, case)

    assert str(refused.value.message) == message
    # No stage change, no history row, no notification, no task or process change: nothing.
    assert reload(case).stage == stage
    assert open_task_names(case) == tasks
    assert db_state() == before
