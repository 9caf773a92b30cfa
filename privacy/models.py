"""Data protection records: consent per purpose.

``privacy`` sits below casework: it refers to cases and organisations by label only and never
imports them. Every write goes through ``privacy.services``, which stamps the history row with
the acting user and a change reason.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class Purpose(models.TextChoices):
    SERVICE = "service", _("service provision")
    PARTNER_SHARING = "partner_sharing", _("sharing with a partner office")
    ESF_REPORTING = "esf_reporting", _("ESF+ reporting")
    EVENT_PHOTOS = "event_photos", _("photos at events")


class ConsentForm(models.TextChoices):
    PAPER = "paper", _("signed paper form")


class Consent(models.Model):
    """One consent of a case's client to one purpose (for sharing: with one partner office).

    A consent is in force from ``given_on`` until it expires or is withdrawn; a withdrawn or
    expired consent stays as a record, and a new consent is a new row.
    """

    case = models.ForeignKey(
        "casework.Case", on_delete=models.CASCADE, related_name="consents", verbose_name=_("case")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    partner = models.ForeignKey(
        "casework.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("partner office"),
    )
    given_on = models.DateField(_("given on"))
    given_how = models.CharField(
        _("how it was given"), max_length=10, choices=ConsentForm.choices, default=ConsentForm.PAPER
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("withdrawal recorded by"),
    )

    history = HistoricalRecords(no_db_index=["partner", "recorded_by", "withdrawn_by"])

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["case", "purpose", "-given_on", "-id"]
        indexes = [models.Index(fields=["case", "purpose"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose="partner_sharing", partner__isnull=False)
                | (~Q(purpose="partner_sharing") & Q(partner__isnull=True)),
                name="consent_partner_only_for_sharing",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("given_on")),
                name="consent_expires_after_given",
            ),
        ]
        permissions = [
            ("record_consent", _("Can record a client's consent")),
            ("withdraw_consent", _("Can record the withdrawal of a consent")),
            ("view_processing_record", _("Can see the record of processing")),
        ]

    def __str__(self) -> str:
        if self.partner_id:
            return f"{self.get_purpose_display()}: {self.partner}"
        return str(self.get_purpose_display())

    def in_force_on(self, day: datetime.date) -> bool:
        if self.given_on > day:
            return False
        if self.withdrawn_on is not None and self.withdrawn_on <= day:
            return False
        return self.expires_on is None or self.expires_on > day

    @property
    def in_force(self) -> bool:
        return self.in_force_on(timezone.localdate())


def in_force_q(day: datetime.date) -> Q:
    """The consents in force on ``day``, as a filter."""
    return (
        Q(given_on__lte=day)
        & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))
        & (Q(expires_on__isnull=True) | Q(expires_on__gt=day))
    )


# --------------------------------------------------------------------------------------------
# Special categories of personal data (GDPR Art. 9 and 10)
# --------------------------------------------------------------------------------------------


class SpecialCategory(models.TextChoices):
    """The special categories Lépés records. Who may see each is ``privacy.special``."""

    ETHNICITY = "ethnicity", _("ethnicity, national minority (including Roma)")
    HEALTH = "health", _("health (screening findings)")
    DISABILITY = "disability", _("disability")
    CRIMINAL_RECORD = "criminal_record", _("criminal record (ex-offender)")


class Answer(models.TextChoices):
    YES = "yes", _("yes")
    NO = "no", _("no")
    # The client may refuse: a refusal is recorded as such, never guessed or left as "unknown".
    DECLINED = "declined", _("declined to answer")


class Minority(models.TextChoices):
    ROMA = "roma", _("Roma")
    OTHER = "other", _("another national or ethnic minority")


class SpecialCategoryRecord(models.Model):
    """What the client said (or what a screening found) about one special category.

    One row per client and category, kept apart from the client file so that a single module
    decides who reads it (``privacy.special``). A correction rewrites the row; its history keeps
    every earlier value with the acting user, the reason code and the stated reason. ``note``
    holds the free text of the category: the screening's findings, the kind of disability and
    the support it needs, what the criminal record means for work.
    """

    client = models.ForeignKey(
        "casework.Client",
        on_delete=models.CASCADE,
        related_name="special_categories",
        verbose_name=_("client"),
    )
    category = models.CharField(_("category"), max_length=20, choices=SpecialCategory.choices)
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices)
    minority = models.CharField(_("minority"), max_length=10, choices=Minority.choices, blank=True)
    note = models.TextField(_("details"), blank=True)
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    # Empty on the rows moved over from the client file, which did not say who recorded them.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    history = HistoricalRecords(no_db_index=["client", "recorded_by"])

    class Meta:
        verbose_name = _("special-category record")
        verbose_name_plural = _("special-category records")
        ordering = ["client", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "category"], name="special_category_once_per_client"
            ),
            models.CheckConstraint(
                condition=Q(minority="") | Q(category="ethnicity", answer="yes"),
                name="special_category_minority_only_for_ethnicity",
            ),
        ]
        permissions = [
            ("record_special_category", _("Can record and correct special-category data")),
        ]

    def __str__(self) -> str:
        # Never the value: a record's string may end up in a log line or an admin message.
        return f"{self.get_category_display()} #{self.pk}"


# --------------------------------------------------------------------------------------------
# Break-glass access
# --------------------------------------------------------------------------------------------

BREAK_GLASS_HOURS = 24


class BreakGlassGrant(models.Model):
    """A user opened a case outside their scope, stating why. For ``BREAK_GLASS_HOURS`` the
    case is in their scope for reading (``casework.selectors.cases_visible_to``); the case's
    organisation's supervisors are told and review the grant afterwards."""

    case = models.ForeignKey(
        "casework.Case",
        on_delete=models.CASCADE,
        related_name="break_glass_grants",
        verbose_name=_("case"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(_("opened at"), default=timezone.now)
    expires_at = models.DateTimeField(_("access until"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    history = HistoricalRecords(no_db_index=["user", "reviewed_by"])

    class Meta:
        verbose_name = _("break-glass access")
        verbose_name_plural = _("break-glass accesses")
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["user", "expires_at"])]
        permissions = [
            ("break_glass", _("Can open a case outside their scope by stating a reason")),
            ("review_break_glass", _("Can review break-glass accesses")),
        ]

    def __str__(self) -> str:
        return f"{self.case} ({self.granted_at:%Y-%m-%d %H:%M})"

    @property
    def in_force(self) -> bool:
        return self.expires_at > timezone.now()


def active_grants_q(now: datetime.datetime | None = None) -> Q:
    return Q(expires_at__gt=now or timezone.now())


# --------------------------------------------------------------------------------------------
# Erasure and restriction requests (GDPR Art. 17 and 18)
# --------------------------------------------------------------------------------------------


class RightsRequestKind(models.TextChoices):
    ERASURE = "erasure", _("erasure (Art. 17)")
    RESTRICTION = "restriction", _("restriction of processing (Art. 18)")


class RightsRequestStatus(models.TextChoices):
    PENDING = "pending", _("waiting for a supervisor's decision")
    REJECTED = "rejected", pgettext_lazy("erasure or restriction request status", "rejected")
    # Erasure approved while the funder's retention hold still applies: carried out by
    # ``manage.py purge_expired`` once ``held_until`` has passed.
    WAITING = "waiting", _("approved, waiting for the retention hold to end")
    ERASED = "erased", _("erased")
    IN_FORCE = "in_force", _("restriction in force")
    LIFTED = "lifted", _("restriction lifted")


class RightsRequestOrigin(models.TextChoices):
    CLIENT = "client", _("the client's request")
    RETENTION = "retention", _("end of the retention period")


class RightsRequest(models.Model):
    """A client's request to erase their data or to restrict its processing, recorded by a
    social worker or supervisor and decided by a supervisor other than the one who recorded it.
    An erasure made at the end of the retention period (``purge_expired``) is recorded here too,
    so every erased client has one row saying when and why."""

    case = models.ForeignKey(
        "casework.Case",
        on_delete=models.PROTECT,
        related_name="rights_requests",
        verbose_name=_("case"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RightsRequestKind.choices)
    origin = models.CharField(
        _("origin"),
        max_length=10,
        choices=RightsRequestOrigin.choices,
        default=RightsRequestOrigin.CLIENT,
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RightsRequestStatus.choices,
        default=RightsRequestStatus.PENDING,
    )
    received_on = models.DateField(_("received on"))
    details = models.TextField(_("the request"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("recorded by"),
    )
    requested_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    held_until = models.DateField(_("retention hold until"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("lifted by"),
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    history = HistoricalRecords(no_db_index=["requested_by", "decided_by", "lifted_by"])

    class Meta:
        verbose_name = _("erasure or restriction request")
        verbose_name_plural = _("erasure and restriction requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["case", "kind", "status"])]
        permissions = [
            ("record_rights_request", _("Can record an erasure or restriction request")),
            ("decide_rights_request", _("Can decide an erasure or restriction request")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.case}"
