"""Community events (forums, workshops, clubs) and their attendance sheets.

Programmes commit to events as indicators ("18 community forums at 6 locations, 684
participants"), so every event belongs to a programme and an organisation, and its attendance
sheet lists clients and people who are not clients. Non-client attendees are recorded with the
minimum an attendance sheet needs: a name and a settlement.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casework.models import Client, Organisation, Programme


class EventKind(models.TextChoices):
    FORUM = "forum", _("community forum")
    WORKSHOP = "workshop", _("workshop")
    CLUB = "club", _("club")
    INFORMATION_DAY = "information_day", _("information day")


class CommunityEvent(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="events", verbose_name=_("programme")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    settlement = models.CharField(_("settlement"), max_length=100)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    held_on = models.DateField(_("date"))
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="events_organised",
        verbose_name=_("organiser"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("community event")
        verbose_name_plural = _("community events")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["organisation", "-held_on"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.settlement}, {self.held_on:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("community:event_detail", args=[self.pk])


class EventAttendee(models.Model):
    """One line of the attendance sheet: a client, or a named person who is not a client."""

    event = models.ForeignKey(CommunityEvent, on_delete=models.CASCADE, related_name="attendees")
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="event_attendance",
        null=True,
        blank=True,
        verbose_name=_("client"),
    )
    guest_name = models.CharField(_("name (not a client)"), max_length=200, blank=True)
    guest_settlement = models.CharField(_("settlement"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(client__isnull=False) & Q(guest_name=""))
                | (Q(client__isnull=True) & ~Q(guest_name="")),
                name="attendee_is_client_or_named_guest",
            ),
            models.UniqueConstraint(
                fields=["event", "client"],
                condition=Q(client__isnull=False),
                name="client_once_per_event",
            ),
        ]

    def __str__(self) -> str:
        return self.client.full_name if self.client_id else self.guest_name
