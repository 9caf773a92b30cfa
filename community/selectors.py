from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from casework.selectors import clients_visible_to, organisation_of
from kernel.errors import NotFound

from .models import CommunityEvent, EventAttendee


def events_visible_to(user) -> QuerySet[CommunityEvent]:
    """Staff see the events of their own organisation."""
    organisation = organisation_of(user) if user.is_authenticated else None
    if organisation is None or not user.has_perm("casework.view_case"):
        return CommunityEvent.objects.none()
    return CommunityEvent.objects.filter(organisation=organisation)


def event_list(*, user) -> QuerySet[CommunityEvent]:
    return (
        events_visible_to(user)
        .select_related("programme")
        .annotate(
            clients=Count("attendees", filter=Q(attendees__client__isnull=False)),
            guests=Count("attendees", filter=Q(attendees__client__isnull=True)),
        )
        .order_by("-held_on", "-id")
    )


def event_get(*, user, event_id: int, for_update: bool = False) -> CommunityEvent:
    events = events_visible_to(user)
    if for_update:
        events = events.select_for_update()
    try:
        return events.get(pk=event_id)
    except (CommunityEvent.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def event_detail(*, user, event_id: int) -> CommunityEvent:
    event = event_get(user=user, event_id=event_id)
    return (
        CommunityEvent.objects.select_related("programme", "organiser")
        .prefetch_related(
            Prefetch("attendees", queryset=EventAttendee.objects.select_related("client"))
        )
        .get(pk=event.pk)
    )


def events_of_client(*, user, client_id: int) -> QuerySet[CommunityEvent]:
    """The events a client attended, as far as the user may see them."""
    client = clients_visible_to(user).filter(pk=client_id).first()
    if client is None:
        return CommunityEvent.objects.none()
    return events_visible_to(user).filter(attendees__client=client).order_by("-held_on")
