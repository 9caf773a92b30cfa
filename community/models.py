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
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition
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


# --------------------------------------------------------------------------------------------
# Community work beyond events: consultants' field work, micro-projects, the partnership
# --------------------------------------------------------------------------------------------


class VisitKind(models.TextChoices):
    VISIT = "visit", _("field visit")
    CONTACT = "contact", _("contact (phone, office)")


class FieldVisit(models.Model):
    """A community consultant's visit to, or contact with, a community: a settlement or a named
    part of one (a segregated settlement, a street). Counted as people reached, not as clients:
    most of the people met are not clients of the programme."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="field_visits",
        verbose_name=_("programme"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="field_visits",
        verbose_name=_("organisation"),
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="field_visits",
        verbose_name=_("consultant"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=VisitKind.choices)
    visited_on = models.DateField(_("date"))
    settlement = models.CharField(_("settlement"), max_length=100)
    locality = models.CharField(
        _("part of the settlement"),
        max_length=100,
        blank=True,
        help_text=_("A named part of the settlement, for example a segregated neighbourhood."),
    )
    topic = models.CharField(_("topic"), max_length=200)
    people_reached = models.PositiveSmallIntegerField(_("people reached"))
    follow_up = models.TextField(_("follow-up actions"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("field visit")
        verbose_name_plural = _("field visits")
        ordering = ["-visited_on", "-id"]
        # The role permissions of all community work live here (see casework.roles).
        permissions = [
            ("view_community_work", "Can see the community work of the organisation"),
            ("log_field_visit", "Can log field visits and contacts in communities"),
            ("review_field_work", "Can review the field-work log of the organisation"),
            ("propose_micro_project", "Can propose micro-projects"),
            ("decide_micro_project", "Can approve, reject and close micro-projects"),
            ("run_micro_project", "Can run micro-projects: milestones and monitoring"),
            ("record_partnership", "Can record partnership meetings and action-plan measures"),
        ]
        indexes = [
            models.Index(fields=["organisation", "-visited_on"]),
            models.Index(fields=["programme", "visited_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(people_reached__gte=1), name="field_visit_reaches_someone"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community} {self.visited_on:%Y-%m-%d}: {self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("community:visit_detail", args=[self.pk])

    @property
    def community(self) -> str:
        return f"{self.settlement} – {self.locality}" if self.locality else self.settlement


class FieldVisitClient(models.Model):
    """A client the visit concerned: links the visit to the client's cases."""

    visit = models.ForeignKey(FieldVisit, on_delete=models.CASCADE, related_name="client_links")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="field_visits", verbose_name=_("client")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("client concerned")
        verbose_name_plural = _("clients concerned")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "client"], name="client_once_per_visit")
        ]

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.client_id}"


class MicroProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    # Shared words of other statuses: the context lets Slovak agree with "mikroprojekt".
    APPROVED = "approved", pgettext_lazy("micro-project status", "approved")
    RUNNING = "running", pgettext_lazy("micro-project status", "running")
    MONITORED = "monitored", _("monitored")
    CLOSED = "closed", pgettext_lazy("micro-project status", "closed")
    REJECTED = "rejected", pgettext_lazy("micro-project status", "rejected")


class MicroProject(FSMModelMixin, models.Model):
    """A small project proposed by a partner organisation and funded from the programme.

    ``status`` moves only through the transitions below, called by ``community.services``
    (which checks the role, the guards in ``community.guards`` and writes the history)."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="micro_projects",
        verbose_name=_("programme"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="micro_projects",
        verbose_name=_("partner organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    settlement = models.CharField(_("settlement"), max_length=100)
    budget = models.DecimalField(
        _("budget"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="micro_projects",
        verbose_name=_("responsible person"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    status = FSMField(
        _("status"),
        max_length=12,
        choices=MicroProjectStatus.choices,
        default=MicroProjectStatus.PROPOSED,
        protected=True,
    )
    status_changed_on = models.DateField(_("status changed"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("micro-project")
        verbose_name_plural = _("micro-projects")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["organisation", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="micro_project_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="micro_project_budget_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community:project_detail", args=[self.pk])

    @property
    def currency(self) -> str:
        return "EUR" if self.programme.country == "SK" else "HUF"

    @property
    def is_open(self) -> bool:
        return self.status not in {MicroProjectStatus.CLOSED, MicroProjectStatus.REJECTED}

    # The transitions only move the status; services check roles and guards before calling them.
    @transition(
        field=status, source=MicroProjectStatus.PROPOSED, target=MicroProjectStatus.APPROVED
    )
    def approve(self) -> None:
        pass

    @transition(
        field=status, source=MicroProjectStatus.PROPOSED, target=MicroProjectStatus.REJECTED
    )
    def reject(self) -> None:
        pass

    @transition(field=status, source=MicroProjectStatus.APPROVED, target=MicroProjectStatus.RUNNING)
    def start(self) -> None:
        pass

    @transition(
        field=status, source=MicroProjectStatus.RUNNING, target=MicroProjectStatus.MONITORED
    )
    def mark_monitored(self) -> None:
        pass

    @transition(field=status, source=MicroProjectStatus.MONITORED, target=MicroProjectStatus.CLOSED)
    def close(self) -> None:
        pass


class Milestone(models.Model):
    project = models.ForeignKey(MicroProject, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class MonitoringVisit(models.Model):
    project = models.ForeignKey(
        MicroProject, on_delete=models.CASCADE, related_name="monitoring_visits"
    )
    visited_on = models.DateField(_("date"))
    findings = models.TextField(_("findings"))
    is_final = models.BooleanField(_("final monitoring visit"), default=False)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("visited by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("monitoring visit")
        verbose_name_plural = _("monitoring visits")
        ordering = ["visited_on", "id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.visited_on:%Y-%m-%d}"


class PartnershipMeeting(models.Model):
    """A meeting of the local partnership (or of the mayors with the minority
    self-governments): who attended, for which organisation, and what was decided."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("programme")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="meetings_convened",
        verbose_name=_("convened by"),
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    settlement = models.CharField(_("settlement"), max_length=100)
    decisions = models.TextField(_("decisions"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partnership meeting")
        verbose_name_plural = _("partnership meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("community:meeting_detail", args=[self.pk])


class MeetingAttendee(models.Model):
    """One person at a meeting, with the organisation they represented (none: a resident or
    an invited guest)."""

    meeting = models.ForeignKey(
        PartnershipMeeting, on_delete=models.CASCADE, related_name="attendees"
    )
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting attendee")
        verbose_name_plural = _("meeting attendees")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    DROPPED = "dropped", _("dropped")


class Measure(models.Model):
    """A measure of the action plan, owned by one partner organisation."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="measures", verbose_name=_("programme")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="measures",
        verbose_name=_("owner organisation"),
    )
    title = models.CharField(_("measure"), max_length=200)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    done_on = models.DateField(_("done"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action-plan measure")
        verbose_name_plural = _("action-plan measures")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", done_on__isnull=False)
                | (~Q(status="done") & Q(done_on__isnull=True)),
                name="measure_done_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community:measure_detail", args=[self.pk])


class MeasureLink(models.Model):
    """What carries a measure out: a micro-project or a community event."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="links")
    micro_project = models.ForeignKey(
        MicroProject,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="measure_links",
    )
    event = models.ForeignKey(
        CommunityEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="measures"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measure link")
        verbose_name_plural = _("measure links")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(micro_project__isnull=False) & Q(event__isnull=True))
                | (Q(micro_project__isnull=True) & Q(event__isnull=False)),
                name="measure_link_is_project_or_event",
            ),
            models.UniqueConstraint(
                fields=["measure", "micro_project"],
                condition=Q(micro_project__isnull=False),
                name="project_once_per_measure",
            ),
            models.UniqueConstraint(
                fields=["measure", "event"],
                condition=Q(event__isnull=False),
                name="event_once_per_measure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id}: {self.micro_project_id or self.event_id}"
