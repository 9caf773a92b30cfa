"""Invalid input is refused with InvalidInput naming the field and why, and writes nothing."""

import datetime

import pytest

from casework import services
from casework.journey import Stage
from casework.models import (
    ExitOutcome,
    FollowUpKind,
    FollowUpStatus,
    Outcome,
    ScreeningStatus,
    SessionFormat,
    SessionKind,
)
from kernel.errors import InvalidInput

from ..conftest import COMPLETE_CLIENT, new_client
from ..factories import ProgrammeFactory
from ..journey import TODAY, to_stage
from .support import db_state

pytestmark = pytest.mark.django_db

TOMORROW = TODAY + datetime.timedelta(days=1)
FUTURE = ["The date cannot be in the future."]
REQUIRED = ["This field is required."]


def _at(stage):
    def prepare(case, world):
        to_stage(case, world, stage)

    return prepare


def _follow_up(case, kind):
    return case.follow_ups.get(kind=kind).pk


# name, stage the case is brought to, the refused call, the expected field errors.
INVALID = [
    (
        "close with the completed outcome",
        _at(Stage.TRAINING),
        lambda w, c: services.case_close_early(
            user=w.worker, case_id=c.pk, outcome=Outcome.COMPLETED, reason="Done"
        ),
        {"outcome": ["Choose why the case is closed."]},
    ),
    (
        "close with an unknown outcome",
        _at(Stage.TRAINING),
        lambda w, c: services.case_close_early(
            user=w.worker, case_id=c.pk, outcome="bored", reason="x"
        ),
        {"outcome": ["Choose why the case is closed."]},
    ),
    (
        "close with a blank reason",
        _at(Stage.TRAINING),
        lambda w, c: services.case_close_early(
            user=w.worker, case_id=c.pk, outcome=Outcome.DROPPED_OUT, reason="   "
        ),
        {"reason": REQUIRED},
    ),
    (
        "close with a reason that is not text",
        _at(Stage.TRAINING),
        lambda w, c: services.case_close_early(
            user=w.worker, case_id=c.pk, outcome=Outcome.DROPPED_OUT, reason=42
        ),
        {"reason": ["Enter text."]},
    ),
    (
        "suspend without a reason",
        _at(Stage.TRAINING),
        lambda w, c: services.case_suspend(user=w.worker, case_id=c.pk, reason=""),
        {"reason": REQUIRED},
    ),
    (
        "reopen without a reason",
        lambda c, w: services.case_close_early(
            user=w.worker, case_id=c.pk, outcome=Outcome.DROPPED_OUT, reason="Left"
        ),
        lambda w, c: services.case_reopen(user=w.supervisor, case_id=c.pk, reason=None),
        {"reason": REQUIRED},
    ),
    (
        "consent given tomorrow",
        _at(Stage.INTAKE),
        lambda w, c: services.case_record_consent(user=w.worker, case_id=c.pk, given_on=TOMORROW),
        {"given_on": FUTURE},
    ),
    (
        "consent date that is not a date",
        _at(Stage.INTAKE),
        lambda w, c: services.case_record_consent(
            user=w.worker, case_id=c.pk, given_on="2025-01-01"
        ),
        {"given_on": ["Enter a valid date."]},
    ),
    (
        "mentor of another organisation",
        _at(Stage.INTAKE),
        lambda w, c: services.case_assign_mentor(
            user=w.worker, case_id=c.pk, mentor_id=w.other_mentor.pk
        ),
        {"mentor": ["Choose an active mentor of the case's organisation."]},
    ),
    (
        "a social worker as mentor",
        _at(Stage.INTAKE),
        lambda w, c: services.case_assign_mentor(
            user=w.worker, case_id=c.pk, mentor_id=w.worker.pk
        ),
        {"mentor": ["Choose an active mentor of the case's organisation."]},
    ),
    (
        "client agreed to the plan tomorrow",
        _at(Stage.PLANNING),
        lambda w, c: services.plan_save(user=w.mentor, case_id=c.pk, client_agreed_on=TOMORROW),
        {"client_agreed_on": FUTURE},
    ),
    (
        "goal without a description",
        _at(Stage.PLANNING),
        lambda w, c: services.goal_add(
            user=w.mentor, case_id=c.pk, area="employment", description=" "
        ),
        {"description": REQUIRED},
    ),
    (
        "goal in an unknown area",
        _at(Stage.PLANNING),
        lambda w, c: services.goal_add(
            user=w.mentor, case_id=c.pk, area="astrology", description="Read the stars"
        ),
        {"area": ["Value 'astrology' is not a valid choice."]},
    ),
    (
        "session held tomorrow",
        _at(Stage.TRAINING),
        lambda w, c: services.session_record(
            user=w.mentor,
            kind=SessionKind.TRAINING,
            format=SessionFormat.INDIVIDUAL,
            topic="CV writing",
            held_on=TOMORROW,
            attendance={c.pk: True},
        ),
        {"held_on": FUTURE},
    ),
    (
        "individual session with two clients",
        _at(Stage.TRAINING),
        lambda w, c: services.session_record(
            user=w.mentor,
            kind=SessionKind.TRAINING,
            format=SessionFormat.INDIVIDUAL,
            topic="CV writing",
            held_on=TODAY,
            attendance={c.pk: True, c.pk + 1000: True},
        ),
        {"attendance": ["An individual session has exactly one client."]},
    ),
    (
        "screening tomorrow",
        _at(Stage.SCREENING),
        lambda w, c: services.screening_record(
            user=w.mentor, case_id=c.pk, status=ScreeningStatus.DONE, screened_on=TOMORROW
        ),
        {"screened_on": FUTURE},
    ),
    (
        "screening with an unknown status",
        _at(Stage.SCREENING),
        lambda w, c: services.screening_record(
            user=w.mentor, case_id=c.pk, status="maybe", screened_on=TODAY
        ),
        {"status": ["Value 'maybe' is not a valid choice."]},
    ),
    (
        "screening referred to an office outside the programme",
        _at(Stage.SCREENING),
        lambda w, c: services.screening_record(
            user=w.mentor,
            case_id=c.pk,
            status=ScreeningStatus.DONE,
            screened_on=TODAY,
            referred_to_id=w.other_org.pk,
        ),
        {"referred_to": ["Choose a partner office of the programme."]},
    ),
    (
        "employed without employer",
        _at(Stage.PLACEMENT),
        lambda w, c: services.placement_save(
            user=w.mentor, case_id=c.pk, exit_outcome=ExitOutcome.EMPLOYED
        ),
        {
            "__all__": [
                "An employment outcome needs the employer, the contract type and the start date."
            ]
        },
    ),
    (
        "follow-up reached without the situation",
        _at(Stage.FOLLOW_UP),
        lambda w, c: services.follow_up_record(
            user=w.mentor,
            follow_up_id=_follow_up(c, FollowUpKind.FIRST),
            status=FollowUpStatus.REACHED,
            contacted_on=TODAY,
        ),
        {"situation": ["A reached client needs the contact date and their situation."]},
    ),
    (
        "follow-up left pending",
        _at(Stage.FOLLOW_UP),
        lambda w, c: services.follow_up_record(
            user=w.mentor,
            follow_up_id=_follow_up(c, FollowUpKind.FIRST),
            status=FollowUpStatus.PENDING,
            contacted_on=None,
        ),
        {"status": ["Choose reached or unreachable."]},
    ),
    (
        "follow-up contacted tomorrow",
        _at(Stage.FOLLOW_UP),
        lambda w, c: services.follow_up_record(
            user=w.mentor,
            follow_up_id=_follow_up(c, FollowUpKind.FIRST),
            status=FollowUpStatus.REACHED,
            contacted_on=TOMORROW,
            situation=ExitOutcome.EMPLOYED,
        ),
        {"contacted_on": FUTURE},
    ),
    (
        "referral to an organisation outside the programme",
        _at(Stage.TRAINING),
        lambda w, c: services.referral_create(
            user=w.mentor, case_id=c.pk, partner_id=w.other_org.pk, purpose="Help"
        ),
        {"partner": ["Choose a partner office of the programme."]},
    ),
]


@pytest.mark.parametrize(
    ("prepare", "act", "field_errors"),
    [row[1:] for row in INVALID],
    ids=[row[0] for row in INVALID],
)
def test_invalid_input_is_refused_with_field_errors_and_writes_nothing(
    world, case, prepare, act, field_errors
):
    prepare(case, world)
    before = db_state()

    with pytest.raises(InvalidInput) as refused:
        act(world, case)

    assert {
        field: [str(m) for m in messages] for field, messages in refused.value.field_errors.items()
    } == field_errors
    assert db_state() == before


# -- clients and cases, which need no case to exist ---------------------------------------------

CLIENT_INVALID = [
    (
        "unknown field",
        {"shoe_size": 44, "nickname": "Ani"},
        {"nickname": ["Unknown field."], "shoe_size": ["Unknown field."]},
    ),
    (
        "unknown target group",
        {"target_groups": ["astronaut"]},
        {"target_groups": ["Choose target groups from the list."]},
    ),
    (
        "too young",
        {"birth_year": TODAY.year - 5},
        {
            "birth_year": [
                f"The year of birth must be between {TODAY.year - 100} and {TODAY.year - 14}."
            ]
        },
    ),
    ("no family name", {"family_name": ""}, {"family_name": ["This field cannot be blank."]}),
]


@pytest.mark.parametrize(
    ("data", "field_errors"),
    [row[1:] for row in CLIENT_INVALID],
    ids=[row[0] for row in CLIENT_INVALID],
)
def test_registering_a_client_with_invalid_data_writes_nothing(world, data, field_errors):
    before = db_state()

    with pytest.raises(InvalidInput) as refused:
        services.client_register(user=world.worker, data={**COMPLETE_CLIENT, **data})

    assert refused.value.field_errors == field_errors
    assert db_state() == before


def test_updating_a_client_with_an_unknown_field_writes_nothing(world):
    client = new_client(world)
    before = db_state()

    with pytest.raises(InvalidInput) as refused:
        services.client_update(
            user=world.worker, client_id=client.pk, data={"given_name": "Eva", "stage": "closed"}
        )

    assert refused.value.field_errors == {"stage": ["Unknown field."]}
    assert db_state() == before


def test_opening_a_case_in_a_programme_of_another_consortium_writes_nothing(world):
    client = new_client(world)
    foreign = ProgrammeFactory()
    before = db_state()

    with pytest.raises(InvalidInput) as refused:
        services.case_open(user=world.worker, client_id=client.pk, programme_id=foreign.pk)

    assert refused.value.field_errors == {"programme": ["Choose a programme of your organisation."]}
    assert db_state() == before
