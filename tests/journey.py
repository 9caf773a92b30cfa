"""Drive a case through the real services to any stage, as the users would."""

from django.utils import timezone

from casework import services
from casework.journey import Stage
from casework.models import (
    Case,
    ExitOutcome,
    FollowUpStatus,
    GoalArea,
    ScreeningStatus,
    SessionFormat,
    SessionKind,
)
from privacy import services as privacy_services
from privacy.models import Purpose

# The site's date (Europe/Budapest), as the services see it, not the machine's UTC date.
TODAY = timezone.localdate()


def consent_to_share_with_partners(case: Case, world) -> None:
    """The client agrees that the programme's partner offices receive their referrals."""
    for partner in case.programme.organisations.filter(
        pk__in=[world.labour_office.pk, world.health_office.pk]
    ):
        privacy_services.consent_record(
            user=world.worker,
            case=case,
            purpose=Purpose.PARTNER_SHARING,
            partner=partner,
            given_on=TODAY,
        )


def complete_intake(case: Case, world) -> Case:
    services.case_record_consent(user=world.worker, case_id=case.pk, given_on=TODAY)
    consent_to_share_with_partners(case, world)
    services.case_assign_mentor(user=world.worker, case_id=case.pk, mentor_id=world.mentor.pk)
    return services.case_advance(user=world.worker, case_id=case.pk, from_stage=Stage.INTAKE)


def submit_plan(case: Case, world) -> None:
    services.plan_save(
        user=world.mentor, case_id=case.pk, summary="Needs a job", client_agreed_on=TODAY
    )
    services.goal_add(
        user=world.mentor,
        case_id=case.pk,
        area=GoalArea.EMPLOYMENT,
        description="Find work within six months",
    )
    services.plan_submit(user=world.mentor, case_id=case.pk)


def approve_plan(case: Case, world) -> None:
    submit_plan(case, world)
    services.plan_approve(user=world.supervisor, case_id=case.pk)


def attend_sessions(case: Case, world, count: int) -> None:
    for n in range(count):
        services.session_record(
            user=world.mentor,
            kind=SessionKind.TRAINING,
            format=SessionFormat.INDIVIDUAL,
            topic=f"Job-search skills {n + 1}",
            held_on=TODAY,
            attendance={case.pk: True},
        )


def to_stage(case: Case, world, stage: str) -> Case:
    """Advance ``case`` through the real services until it reaches ``stage``."""
    steps = {
        Stage.INTAKE: lambda: complete_intake(case, world),
        Stage.PLANNING: lambda: approve_plan(case, world),
        Stage.TRAINING: lambda: (
            attend_sessions(case, world, case.programme.attendance_threshold),
            services.case_advance(user=world.mentor, case_id=case.pk, from_stage=Stage.TRAINING),
        ),
        Stage.SCREENING: lambda: (
            services.screening_record(
                user=world.mentor,
                case_id=case.pk,
                status=ScreeningStatus.DECLINED,
                screened_on=TODAY,
            ),
            services.case_advance(user=world.mentor, case_id=case.pk, from_stage=Stage.SCREENING),
        ),
        Stage.PLACEMENT: lambda: (
            services.placement_save(
                user=world.mentor,
                case_id=case.pk,
                employer="Ózdi Kft.",
                contract_type="fixed_term",
                starts_on=TODAY,
                exit_outcome=ExitOutcome.EMPLOYED,
            ),
            services.case_advance(user=world.mentor, case_id=case.pk, from_stage=Stage.PLACEMENT),
        ),
        Stage.FOLLOW_UP: lambda: (
            [
                services.follow_up_record(
                    user=world.mentor,
                    follow_up_id=f.pk,
                    status=FollowUpStatus.REACHED,
                    contacted_on=TODAY,
                    situation=ExitOutcome.EMPLOYED,
                )
                for f in case.follow_ups.order_by("due_on")
            ],
            services.case_advance(user=world.mentor, case_id=case.pk, from_stage=Stage.FOLLOW_UP),
        ),
    }
    case.refresh_from_db()
    while case.stage != stage:
        steps[case.stage]()
        case.refresh_from_db()
    return case
