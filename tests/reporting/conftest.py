"""Records the reporting tests count (``records``: sessions and community events in three
months and two places)."""

import datetime

import pytest
from django.utils import timezone

from casework import services
from community import services as community

from ..conftest import new_client
from ..journey import approve_plan, complete_intake

TODAY = timezone.localdate()


@pytest.fixture
def records(world):
    """Sessions and events on days in three months and two places."""
    days = [TODAY, TODAY - datetime.timedelta(days=40), TODAY - datetime.timedelta(days=75)]
    cases = []
    for settlement in ("Ózd", "Putnok"):
        case = services.case_open(
            user=world.worker,
            client_id=new_client(world, settlement=settlement).pk,
            programme_id=world.programme.pk,
            # Opened (on paper) on the programme's first day: no date in this test predates it.
            opened_on=world.programme.starts_on,
        )
        complete_intake(case, world)
        services.plan_save(
            user=world.mentor, case_id=case.pk, summary="G", client_agreed_on=days[2]
        )
        approve_plan(case, world)
        cases.append(case)
    for n, day in enumerate(days):
        for kind in ("training", "counselling"):
            services.session_record(
                user=world.mentor,
                kind=kind,
                format="group",
                topic="T",
                held_on=day,
                duration_minutes=45 + 15 * n,
                attendance={cases[0].pk: True, cases[1].pk: n != 1},
            )
        event = community.event_create(
            user=world.worker,
            programme_id=world.programme.pk,
            # The earliest event is a club: forums and events in general start apart.
            kind="club" if n == 2 else "forum",
            title="E",
            settlement=["Ózd", "Putnok", "Ózd"][n],
            held_on=day,
        )
        community.event_record_attendance(
            user=world.worker,
            event_id=event.pk,
            client_ids=[cases[0].client_id],
            guests=[("G", "Ózd")] * (n + 1),
        )
