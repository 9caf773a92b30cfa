import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import services as casework_services
from community import selectors, services
from community.models import CommunityEvent, EventAttendee, EventKind
from kernel.errors import InvalidInput, NotAllowed, NotFound

from ..conftest import new_client

TODAY = timezone.localdate()


def make_event(world, user=None, **overrides):
    data = {
        "programme_id": world.programme.pk,
        "kind": EventKind.FORUM,
        "title": "Közösségi fórum",
        "settlement": "Ózd",
        "held_on": TODAY,
    }
    return services.event_create(user=user or world.worker, **{**data, **overrides})


@pytest.mark.django_db
def test_an_attendance_sheet_lists_clients_once_and_named_guests(world):
    event = make_event(world)
    anna = new_client(world)
    services.event_record_attendance(
        user=world.worker, event_id=event.pk, client_ids=[anna.pk], guests=[("Nagy Béla", "Putnok")]
    )
    services.event_record_attendance(
        user=world.worker, event_id=event.pk, client_ids=[anna.pk], guests=[]
    )
    rows = list(event.attendees.order_by("id"))
    assert [(r.client_id, r.guest_name) for r in rows] == [(anna.pk, ""), (None, "Nagy Béla")]
    history = rows[0].history.get()
    assert (history.history_user, history.history_change_reason) == (
        world.worker,
        "event.attendance",
    )


@pytest.mark.django_db
def test_a_client_of_another_organisation_cannot_be_put_on_the_sheet_and_nothing_is_written(
    world,
):
    event = make_event(world)
    stranger = new_client(world)
    stranger.organisation = world.other_org
    stranger.save()
    with pytest.raises(InvalidInput):
        services.event_record_attendance(
            user=world.worker,
            event_id=event.pk,
            client_ids=[stranger.pk],
            guests=[("Guest", "Ózd")],
        )
    assert not EventAttendee.objects.exists()


@pytest.mark.django_db
def test_a_guest_without_a_name_is_refused(world):
    event = make_event(world)
    with pytest.raises(InvalidInput):
        services.event_record_attendance(
            user=world.worker, event_id=event.pk, client_ids=[], guests=[(" ", "Ózd")]
        )


@pytest.mark.django_db
def test_an_event_in_the_future_or_of_a_foreign_programme_is_refused(world):
    with pytest.raises(InvalidInput):
        make_event(world, held_on=TODAY + datetime.timedelta(days=1))
    with pytest.raises(InvalidInput):
        make_event(world, programme_id=999_999)
    assert not CommunityEvent.objects.exists()


@pytest.mark.django_db
def test_a_mentor_can_put_only_their_own_clients_on_a_sheet(world, case):
    event = make_event(world)
    with pytest.raises(InvalidInput):
        services.event_record_attendance(
            user=world.mentor, event_id=event.pk, client_ids=[case.client_id], guests=[]
        )
    casework_services.case_assign_mentor(
        user=world.worker, case_id=case.pk, mentor_id=world.mentor.pk
    )
    services.event_record_attendance(
        user=world.mentor, event_id=event.pk, client_ids=[case.client_id], guests=[]
    )
    assert event.attendees.get().client_id == case.client_id


@pytest.mark.django_db
def test_events_are_visible_to_their_organisation_only(world):
    event = make_event(world)
    assert selectors.event_get(user=world.mentor, event_id=event.pk) == event
    with pytest.raises(NotFound):
        selectors.event_get(user=world.other_worker, event_id=event.pk)
    with pytest.raises(NotFound):
        services.event_record_attendance(
            user=world.other_worker, event_id=event.pk, client_ids=[], guests=[("X", "Y")]
        )


@pytest.mark.django_db
def test_a_supervisor_without_the_recording_permission_cannot_create_events(world):
    with pytest.raises(NotAllowed):
        make_event(world, user=world.supervisor)


@pytest.mark.django_db
def test_the_case_page_shows_the_events_the_client_attended(world, client, case):
    event = make_event(world)
    services.event_record_attendance(
        user=world.worker, event_id=event.pk, client_ids=[case.client_id], guests=[]
    )
    client.force_login(world.worker)
    page = client.get(case.get_absolute_url()).content.decode()
    assert event.get_absolute_url() in page


@pytest.mark.django_db
def test_the_attendance_sheet_page_records_clients_and_guests(world, client):
    event = make_event(world)
    anna = new_client(world)
    client.force_login(world.worker)
    response = client.post(
        event.get_absolute_url(), {"clients": [anna.pk], "guests": "Kiss Éva, Ózd\n\nTóth Pál"}
    )
    assert response.status_code == 302
    assert event.attendees.count() == 3
    assert client.get(reverse("community:event_list")).status_code == 200


@pytest.mark.django_db
def test_a_clients_events_are_those_of_the_users_organisation_and_only_of_a_client_in_scope(
    world,
):
    anna = new_client(world)
    ours = make_event(world, title="A mi fórumunk")
    theirs = make_event(world, user=world.other_worker, title="Az ő fórumuk")
    services.event_record_attendance(
        user=world.worker, event_id=ours.pk, client_ids=[anna.pk], guests=[]
    )
    # Anna went to the other organisation's forum too (written as the sheet would be).
    EventAttendee.objects.create(event=theirs, client=anna)

    assert list(selectors.events_of_client(user=world.worker, client_id=anna.pk)) == [ours]
    # The other organisation's staff do not see Anna, so they see none of her events, not even
    # their own forum's line.
    assert list(selectors.events_of_client(user=world.other_worker, client_id=anna.pk)) == []
    assert list(selectors.events_of_client(user=world.worker, client_id=anna.pk + 999)) == []
