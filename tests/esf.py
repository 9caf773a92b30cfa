"""Build ESF+ participants, leavers and their follow-ups through the real services."""

import datetime

from casework import services
from casework.journey import Stage
from casework.models import (
    Case,
    Country,
    ExitOutcome,
    FollowUpKind,
    FollowUpStatus,
    GoalArea,
    Settlement,
)

from .conftest import COMPLETE_CLIENT, new_client
from .journey import complete_intake, to_stage


def settlements() -> None:
    """The settlement list the rural flag is read from (set-up data)."""
    for name, rural in [("Ózd", False), ("Putnok", True)]:
        Settlement.objects.create(country=Country.HUNGARY, name=name, rural=rural)


def years_before(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year - years)


def participant(world, *, entry_on: datetime.date, **client) -> Case:
    """A client who signs the development plan on ``entry_on`` (the programme's default rule),
    in planning."""
    person = new_client(world, **client)
    # The intake form is dated a week before the signature: nothing about a case predates it.
    case = services.case_open(
        user=world.worker,
        client_id=person.pk,
        programme_id=world.programme.pk,
        opened_on=entry_on - datetime.timedelta(days=7),
    )
    complete_intake(case, world)
    services.plan_save(
        user=world.mentor, case_id=case.pk, summary="Plan", client_agreed_on=entry_on
    )
    return case


def other_organisation_participant(world, *, entry_on: datetime.date, today: datetime.date) -> Case:
    """A participant of the consortium's other organisation, with no ESF+ fields beyond the
    basics: a plan signed on ``entry_on``, consent recorded ``today``."""
    elsewhere = services.client_register(
        user=world.other_worker, data={**COMPLETE_CLIENT, "family_name": "Other"}
    )
    case = services.case_open(
        user=world.other_worker,
        client_id=elsewhere.pk,
        programme_id=world.programme.pk,
        opened_on=entry_on - datetime.timedelta(days=1),
    )
    services.case_record_consent(user=world.other_worker, case_id=case.pk, given_on=today)
    services.case_assign_mentor(
        user=world.other_worker, case_id=case.pk, mentor_id=world.other_mentor.pk
    )
    services.case_advance(user=world.other_worker, case_id=case.pk, from_stage=Stage.INTAKE)
    services.plan_save(
        user=world.other_mentor, case_id=case.pk, summary="x", client_agreed_on=entry_on
    )
    return case


def leave(case: Case, world, *, left_on: datetime.date) -> Case:
    """Take the participant's case through the journey (the plan keeps its signature date) and
    record the outcome at exit: the client left on ``left_on``, the day the follow-ups count
    from."""
    services.goal_add(
        user=world.mentor, case_id=case.pk, area=GoalArea.EMPLOYMENT, description="Work"
    )
    services.plan_submit(user=world.mentor, case_id=case.pk)
    services.plan_approve(user=world.supervisor, case_id=case.pk)
    to_stage(case, world, Stage.PLACEMENT)
    services.placement_save(
        user=world.mentor, case_id=case.pk, exit_outcome=ExitOutcome.JOB_SEEKING, exit_on=left_on
    )
    return services.case_advance(user=world.mentor, case_id=case.pk, from_stage=Stage.PLACEMENT)


def answer(case: Case, world, kind: str, *, contacted_on: datetime.date, **answers):
    follow_up = case.follow_ups.get(kind=kind)
    return services.follow_up_record(
        user=world.mentor,
        follow_up_id=follow_up.pk,
        status=FollowUpStatus.REACHED,
        contacted_on=contacted_on,
        answers=answers,
    )


FIRST, SECOND = FollowUpKind.FIRST, FollowUpKind.SECOND
