"""What the consortium committed to: a target per indicator, for the whole programme or for
one partner organisation and/or one location (settlement)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .indicators import INDICATORS


class Target(models.Model):
    programme = models.ForeignKey(
        "casework.Programme",
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name=_("programme"),
    )
    indicator = models.CharField(
        _("indicator"),
        max_length=40,
        choices=[(code, indicator.label) for code, indicator in INDICATORS.items()],
    )
    organisation = models.ForeignKey(
        "casework.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner organisation"),
        help_text=_("Empty: the whole consortium."),
    )
    settlement = models.CharField(
        _("location"), max_length=100, blank=True, help_text=_("Empty: every location.")
    )
    baseline = models.DecimalField(_("baseline"), max_digits=12, decimal_places=1, default=0)
    value = models.DecimalField(_("committed value"), max_digits=12, decimal_places=1)
    deadline = models.DateField(_("deadline"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["programme", "indicator", "organisation", "settlement"]
        constraints = [
            # One target per indicator and place; "no organisation" (the whole consortium) is
            # a place too, which a plain unique constraint would not see (NULLs differ).
            models.UniqueConstraint(
                fields=["programme", "indicator", "organisation", "settlement"],
                name="target_once_per_partner_place",
            ),
            models.UniqueConstraint(
                fields=["programme", "indicator", "settlement"],
                condition=models.Q(organisation__isnull=True),
                name="target_once_per_consortium_place",
            ),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()}: {self.value}"

    def clean(self) -> None:
        if self.value is not None and self.baseline is not None and self.baseline > self.value:
            raise ValidationError({"baseline": _("The baseline cannot exceed the target.")})
        if self.programme_id and self.deadline and self.deadline < self.programme.starts_on:
            raise ValidationError(
                {"deadline": _("The deadline cannot be before the programme starts.")}
            )


class KeptMinutes(models.Model):
    """The present attendance lines of one programme, partner, settlement, period and session
    kind: their minutes and their number. Kept by PostgreSQL itself (``reporting.kept``);
    nothing in the application writes these rows, and they carry no history (the lines do)."""

    # No foreign key constraints: the rows follow the records, and a record's deletion must
    # never wait on (or be refused by) a figure derived from it.
    programme = models.ForeignKey(
        "casework.Programme", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    organisation = models.ForeignKey(
        "casework.Organisation", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    place = models.CharField(max_length=100)
    kind = models.CharField(max_length=12)
    minutes = models.BigIntegerField()
    lines = models.IntegerField()

    class Meta:
        abstract = True


class AttendedMinutes(KeptMinutes):
    """Per month: what a report reads for the months that are over."""

    month = models.DateField()  # its first day

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organisation", "place", "month", "kind"],
                name="attended_minutes_once_per_key",
            )
        ]
        indexes = [
            # The rows no line counts in any more, which the triggers delete after a change.
            models.Index(
                fields=["id"],
                condition=models.Q(lines=0, minutes=0),
                name="attended_minutes_emptied",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.place} {self.month:%Y-%m} {self.kind}: {self.minutes}"


class AttendedDayMinutes(KeptMinutes):
    """Per day: what a report reads for the days of a month that is not over."""

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "day", "organisation", "place", "kind"],
                name="attended_day_minutes_once_per_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(lines=0, minutes=0),
                name="attended_day_minutes_emptied",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.place} {self.day} {self.kind}: {self.minutes}"


# Generated reports and export jobs live in a module of their own.
from .models_runs import ExportJob, ReportFigure, ReportRun  # noqa: E402, F401
