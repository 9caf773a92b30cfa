"""The records the property-based run aims its requests at: cases of both organisations in every
stage, reached through the real services, and a token for each kind of sender."""

from __future__ import annotations

from casework import services
from casework.journey import Stage
from casework.models import Attendance, Client, FollowUp, Goal, Referral, Session
from notifications.models import Notification

from ..conftest import new_client
from ..factories import ProgrammeFactory
from ..journey import TODAY, attend_sessions, submit_plan, to_stage
from .support import api_services


def _open(world, stage: str, *, family_name: str):
    client = new_client(world, family_name=family_name)
    case = services.case_open(
        user=world.worker, client_id=client.pk, programme_id=world.programme.pk
    )
    return to_stage(case, world, stage)


def build(world) -> tuple[dict[str, str | None], dict[str, list[int]]]:
    """Returns the senders (name → Authorization header) and the ids of real records."""
    cases = {
        stage: _open(world, stage, family_name=f"Fuzz {stage}")
        for stage in [
            Stage.INTAKE,
            Stage.TRAINING,
            Stage.SCREENING,
            Stage.PLACEMENT,
            Stage.FOLLOW_UP,
            Stage.CLOSED,
        ]
    }
    planning = _open(world, Stage.PLANNING, family_name="Fuzz planning")
    submit_plan(planning, world)
    attend_sessions(cases[Stage.TRAINING], world, 1)
    services.referral_create(
        user=world.mentor,
        case_id=cases[Stage.TRAINING].pk,
        partner_id=world.labour_office.pk,
        purpose="Job-search programme",
    )
    suspended = _open(world, Stage.TRAINING, family_name="Fuzz suspended")
    services.case_suspend(
        user=world.worker, case_id=suspended.pk, reason="Ill", from_stage=Stage.TRAINING
    )
    other_client = services.client_register(
        user=world.other_worker, data={"family_name": "Other", "given_name": "Org"}
    )
    services.case_open(
        user=world.other_worker, client_id=other_client.pk, programme_id=world.programme.pk
    )
    services.case_record_consent(user=world.worker, case_id=cases[Stage.INTAKE].pk, given_on=TODAY)

    senders: dict[str, str | None] = {"anonymous": None, "bogus token": "Token lps_not-a-token"}
    for name in ["worker", "mentor", "supervisor", "supervisor2", "other_worker", "admin"]:
        _token, key = api_services.token_create(user=getattr(world, name), name="fuzz")
        senders[name] = f"Token {key}"

    lonely_programme = ProgrammeFactory()  # not a programme of the organisation
    ids = {
        "case": [case.pk for case in [*cases.values(), planning, suspended]]
        + list(Client.objects.filter(pk=other_client.pk).values_list("cases__pk", flat=True)),
        "client": list(Client.objects.values_list("pk", flat=True)),
        "goal": list(Goal.objects.values_list("pk", flat=True)),
        "attendance": list(Attendance.objects.values_list("pk", flat=True)),
        "session": list(Session.objects.values_list("pk", flat=True)),
        "follow_up": list(FollowUp.objects.values_list("pk", flat=True)),
        "referral": list(Referral.objects.values_list("pk", flat=True)),
        "notification": list(Notification.objects.values_list("pk", flat=True)),
        "mentor": [world.mentor.pk, world.mentor2.pk, world.other_mentor.pk, world.worker.pk],
        "programme": [world.programme.pk, lonely_programme.pk],
        "partner": [world.labour_office.pk, world.health_office.pk, world.org.pk],
    }
    return senders, ids
