"""Writes for community events: same rules as casework.services (one transaction, scope,
permission, history user and reason)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from casework import selectors as casework_selectors
from kernel.errors import GuardFailed, InvalidInput, NotAllowed
from kernel.services import save_with_history, service
from kernel.validators import not_in_future
from privacy import selectors as privacy_selectors

from . import selectors
from .models import CommunityEvent, EventAttendee, EventKind

RECORD_PERMISSION = "casework.record_casework"


@service
def event_create(
    *,
    user,
    programme_id: int,
    kind: str,
    title: str,
    settlement: str,
    held_on: datetime.date,
    venue: str = "",
) -> CommunityEvent:
    if not user.has_perm(RECORD_PERMISSION):
        raise NotAllowed()
    organisation = casework_selectors.organisation_of(user)
    programme = casework_selectors.programmes_for(user=user).filter(pk=programme_id).first()
    if organisation is None or programme is None:
        raise InvalidInput({"programme": [_("Choose a programme of your organisation.")]})
    if kind not in EventKind.values:
        raise InvalidInput({"kind": [_("Choose the kind of event.")]})
    not_in_future(held_on, field="held_on")
    event = CommunityEvent(
        programme=programme,
        organisation=organisation,
        kind=kind,
        title=title.strip(),
        settlement=settlement.strip(),
        venue=venue.strip(),
        held_on=held_on,
        organiser=user,
    )
    save_with_history(event, user=user, reason="event.create")
    return event


@service
def event_record_attendance(
    *, user, event_id: int, client_ids: list[int], guests: list[tuple[str, str]]
) -> list[EventAttendee]:
    """Add lines to the attendance sheet: clients of the organisation and named guests.
    A client already on the sheet is not added twice."""
    if not user.has_perm(RECORD_PERMISSION):
        raise NotAllowed()
    event = selectors.event_get(user=user, event_id=event_id, for_update=True)
    clients = {
        client.pk: client
        for client in casework_selectors.clients_visible_to(user, break_glass=False).filter(
            pk__in=client_ids
        )
    }
    unknown = set(client_ids) - set(clients)
    if unknown:
        raise InvalidInput({"clients": [_("Choose clients of your organisation.")]})
    frozen = privacy_selectors.frozen_client_ids(clients)
    if frozen:
        # A restriction (GDPR Art. 18) or an erasure stops this processing too.
        first = min(frozen)
        raise GuardFailed(
            privacy_selectors.client_processing_refusal(first),
            details=[clients[pk].full_name for pk in sorted(frozen)],
        )
    cleaned_guests = []
    for name, settlement in guests:
        name, settlement = (name or "").strip(), (settlement or "").strip()
        if not name:
            raise InvalidInput({"guests": [_("Every guest needs a name.")]})
        cleaned_guests.append((name[:200], settlement[:100]))
    if not clients and not cleaned_guests:
        raise InvalidInput({"clients": [_("Add at least one attendee.")]})
    already = set(event.attendees.filter(client__isnull=False).values_list("client_id", flat=True))
    added = []
    for client_id in sorted(set(clients) - already):
        row = EventAttendee(event=event, client=clients[client_id])
        save_with_history(row, user=user, reason="event.attendance")
        added.append(row)
    for name, settlement in cleaned_guests:
        row = EventAttendee(event=event, guest_name=name, guest_settlement=settlement)
        save_with_history(row, user=user, reason="event.attendance")
        added.append(row)
    return added
