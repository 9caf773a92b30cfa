"""Partnership meetings and the action plan: who attended for which organisation, decisions,
measures with an owner, a deadline and a status, and what carries each measure out."""

import datetime

import pytest

from community import selectors, services
from community.models import Measure, MeasureStatus, PartnershipMeeting
from kernel.errors import InvalidInput, NotAllowed, NotFound

from .helpers import TODAY, consultant, propose
from .test_services__events import make_event

pytestmark = pytest.mark.django_db


def record_meeting(world, user, **overrides):
    data = {
        "programme_id": world.programme.pk,
        "title": "Stretnutie partnerstva",
        "held_on": TODAY,
        "settlement": "Tornaľa",
        "decisions": "Schválený akčný plán na rok.",
        "attendees": [
            ("Starosta", world.org.pk),
            ("Koordinátorka", world.other_org.pk),
            ("Obyvateľ osady", None),
        ],
    }
    return services.meeting_record(user=user, **{**data, **overrides})


def test_a_meeting_keeps_its_attendees_with_their_organisations_and_history(world):
    meeting = record_meeting(world, world.supervisor)
    rows = [(a.name, a.organisation_id) for a in meeting.attendees.order_by("id")]
    assert rows == [
        ("Starosta", world.org.pk),
        ("Koordinátorka", world.other_org.pk),
        ("Obyvateľ osady", None),
    ]
    history = meeting.history.get()
    assert (history.history_user, history.history_change_reason) == (
        world.supervisor,
        "meeting.record",
    )
    assert meeting.attendees.first().history.get().history_change_reason == "meeting.record"


def test_a_meeting_needs_attendees_from_the_consortium_and_a_date_not_in_the_future(world):
    from ..factories import OrganisationFactory

    outsider = OrganisationFactory(name="Outsider")
    with pytest.raises(InvalidInput) as refusal:
        record_meeting(world, world.supervisor, attendees=[("X", outsider.pk)])
    assert "attendees" in refusal.value.field_errors
    with pytest.raises(InvalidInput):
        record_meeting(world, world.supervisor, attendees=[])
    with pytest.raises(InvalidInput) as refusal:
        record_meeting(world, world.supervisor, held_on=TODAY + datetime.timedelta(days=2))
    assert "held_on" in refusal.value.field_errors
    assert not PartnershipMeeting.objects.exists()


def test_the_convener_and_the_attending_organisations_see_a_meeting_others_do_not(world):
    meeting = record_meeting(
        world, consultant(world), attendees=[("Koordinátorka", world.other_org.pk)]
    )
    assert selectors.meeting_get(user=world.other_supervisor, meeting_id=meeting.pk) == meeting
    alone = record_meeting(world, world.supervisor, attendees=[("Starosta", world.org.pk)])
    with pytest.raises(NotFound):
        selectors.meeting_get(user=world.other_supervisor, meeting_id=alone.pk)
    with pytest.raises(NotFound):
        selectors.meeting_get(user=world.admin, meeting_id=alone.pk)


def test_social_workers_and_mentors_record_no_meetings(world):
    for user in (world.worker, world.mentor):
        with pytest.raises(NotAllowed):
            record_meeting(world, user)


def make_measure(world, user=None, **overrides):
    data = {
        "programme_id": world.programme.pk,
        "organisation_id": world.org.pk,
        "title": "Komunitné centrum otvorené denne",
        "deadline": TODAY + datetime.timedelta(days=90),
    }
    return services.measure_create(user=user or world.supervisor, **{**data, **overrides})


def test_a_measure_moves_through_its_statuses_with_history_and_done_needs_a_date(world):
    measure = make_measure(world)
    assert measure.status == MeasureStatus.PLANNED
    services.measure_set_status(
        user=world.supervisor, measure_id=measure.pk, status=MeasureStatus.IN_PROGRESS
    )
    with pytest.raises(InvalidInput) as refusal:
        services.measure_set_status(
            user=world.supervisor, measure_id=measure.pk, status=MeasureStatus.DONE
        )
    assert "done_on" in refusal.value.field_errors
    services.measure_set_status(
        user=world.supervisor, measure_id=measure.pk, status=MeasureStatus.DONE, done_on=TODAY
    )
    measure.refresh_from_db()
    assert (measure.status, measure.done_on) == (MeasureStatus.DONE, TODAY)
    reasons = list(
        measure.history.order_by("history_id").values_list("history_change_reason", "history_user")
    )
    assert reasons == [
        ("measure.create", world.supervisor.pk),
        ("measure.in_progress", world.supervisor.pk),
        ("measure.done", world.supervisor.pk),
    ]


def test_only_the_lead_records_a_measure_owned_by_another_partner(world):
    # world.org is the programme's lead; the NGO is a member.
    make_measure(world, organisation_id=world.other_org.pk)
    with pytest.raises(InvalidInput) as refusal:
        make_measure(world, user=world.other_supervisor, organisation_id=world.org.pk)
    assert "organisation" in refusal.value.field_errors
    make_measure(world, user=world.other_supervisor, organisation_id=world.other_org.pk)
    assert Measure.objects.count() == 2


def test_the_owners_staff_see_a_measure_and_others_get_not_found(world):
    measure = make_measure(world, organisation_id=world.other_org.pk)
    assert selectors.measure_get(user=world.other_supervisor, measure_id=measure.pk) == measure
    with pytest.raises(NotFound):
        selectors.measure_get(user=world.admin, measure_id=measure.pk)
    with pytest.raises(NotFound):
        services.measure_set_status(
            user=world.admin, measure_id=measure.pk, status=MeasureStatus.DONE, done_on=TODAY
        )


def test_a_measure_points_to_the_projects_and_events_that_carry_it_out_once_each(world):
    measure = make_measure(world)
    project = propose(world)
    event = make_event(world)
    services.measure_link(user=world.supervisor, measure_id=measure.pk, micro_project_id=project.pk)
    services.measure_link(user=world.supervisor, measure_id=measure.pk, micro_project_id=project.pk)
    link = services.measure_link(user=world.supervisor, measure_id=measure.pk, event_id=event.pk)
    assert link.history.get().history_change_reason == "measure.link"
    assert [(lk.micro_project_id, lk.event_id) for lk in measure.links.order_by("id")] == [
        (project.pk, None),
        (None, event.pk),
    ]
    with pytest.raises(InvalidInput):
        services.measure_link(user=world.supervisor, measure_id=measure.pk)


def test_a_measure_cannot_point_to_another_organisations_project(world):
    measure = make_measure(world)
    theirs = propose(world, user=world.other_worker, responsible_id=world.other_worker.pk)
    with pytest.raises(InvalidInput):
        services.measure_link(
            user=world.supervisor, measure_id=measure.pk, micro_project_id=theirs.pk
        )
