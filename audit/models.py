"""The audit trail's own tables.

``ChainHead`` / ``ChainLink`` / ``ChainSchema`` make every simple-history row tamper-evident (see
``audit.chain`` and docs/audit.md). ``ChainLink`` doubles as the index the timeline and the
organisation-wide list page through: one narrow row per history row, with the case, client,
organisation, user, stage and reason code of the write, so a page is one index range scan
whatever the size of the history tables.

``ReviewSignOff`` records a supervisor's "reviewed up to here" and is itself history-tracked.
``AccessLog`` records reads: who opened or exported whose record, and when.

Nothing here is ever updated or deleted by the application, except ``ChainHead`` (the running
end of its chain) and the erasure of personal values described in ``audit.erasure``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

GENESIS = "0" * 64


class ChainHead(models.Model):
    """The newest link of one chain. Appending locks this row (``select_for_update``), so the
    writers of one chain queue here and the writers of different chains never meet.

    A case chain (``case:<id>``) holds the case and everything attached to it; a client, a session
    and every other tracked object has a chain of its own (``client:<id>``,
    ``casework.session:<id>``). The case's current stage is kept here so that every link of the
    chain records the stage it was written in without another query."""

    key = models.CharField(_("chain"), max_length=120, unique=True)
    seq = models.PositiveBigIntegerField(_("length"), default=0)
    hash = models.CharField(_("head hash"), max_length=64, default=GENESIS)
    case_id = models.BigIntegerField(null=True, blank=True)
    client_id = models.BigIntegerField(null=True, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    stage = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("audit chain")
        verbose_name_plural = _("audit chains")

    def __str__(self) -> str:
        return f"{self.key} #{self.seq}"


class ChainSchema(models.Model):
    """The list of history columns a link's digest covers, by content address.

    A field added to a tracked model later is not part of older links' digests, so adding a
    field never breaks the verification of older rows."""

    digest = models.CharField(max_length=32, primary_key=True)
    model = models.CharField(max_length=120)
    fields = models.JSONField()

    class Meta:
        verbose_name = _("audit chain schema")
        verbose_name_plural = _("audit chain schemas")

    def __str__(self) -> str:
        return f"{self.model} {self.digest}"


class ChainLink(models.Model):
    """One history row's place in its chain: ``hash = HMAC(key, chain, seq, previous hash,
    digest of the row)``. Keyed by (tracked model, history_id)."""

    # No single-column indexes on head and case: "audit_link_seq" and "audit_link_case" below
    # start with them, and every history row writes a link (one B-tree less each).
    head = models.ForeignKey(
        ChainHead, on_delete=models.PROTECT, related_name="links", db_index=False
    )
    seq = models.PositiveBigIntegerField()
    model = models.CharField(max_length=120)  # the tracked model, "casework.case"
    history_id = models.BigIntegerField()
    object_id = models.BigIntegerField(null=True)
    history_type = models.CharField(max_length=1)
    history_date = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    # Denormalised from the row and its chain, for scoping and filters (checked by verify_audit).
    case = models.ForeignKey(
        "casework.Case",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    client = models.ForeignKey(
        "casework.Client",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    organisation_id = models.BigIntegerField(null=True)
    stage = models.CharField(max_length=20, blank=True)
    # The reason's code only ("case.suspend"), never its free-text part, which may be personal.
    reason_code = models.CharField(max_length=60, blank=True)
    schema = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # {field: salt} for committed (personal) fields; {field: {"c": commitment}} once erased.
    salts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("audit chain link")
        verbose_name_plural = _("audit chain links")
        constraints = [
            models.UniqueConstraint(fields=["head", "seq"], name="audit_link_seq"),
            models.UniqueConstraint(fields=["model", "history_id"], name="audit_link_row"),
        ]
        indexes = [
            models.Index(fields=["case", "history_date", "id"], name="audit_link_case"),
            models.Index(fields=["organisation_id", "history_date", "id"], name="audit_link_org"),
            models.Index(fields=["model", "object_id", "history_id"], name="audit_link_object"),
            # "What did this person do?" within an organisation. (A user-first index would
            # lure SQLite away from the case index when a timeline is filtered by user.)
            models.Index(
                fields=["organisation_id", "user", "history_date", "id"],
                name="audit_link_org_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model}#{self.history_id} ({self.head_id}:{self.seq})"


class ReviewSignOff(models.Model):
    """A supervisor's statement that they reviewed a case's audit trail up to a point."""

    case = models.ForeignKey(
        "casework.Case",
        on_delete=models.PROTECT,
        related_name="review_sign_offs",
        verbose_name=_("case"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_sign_offs",
        verbose_name=_("reviewer"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), default=timezone.now)
    # The newest chain link the reviewer had in front of them: later links are "new since".
    up_to_link = models.BigIntegerField(_("reviewed up to entry"))
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review sign-off")
        verbose_name_plural = _("review sign-offs")
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["case", "reviewer", "-id"], name="audit_review_case")]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.reviewed_at:%Y-%m-%d %H:%M}"


class AccessAction(models.TextChoices):
    VIEW = "view", _("viewed")
    EXPORT = "export", _("exported")
    ERASE = "erase", _("erased personal data from the history")


class AccessLog(models.Model):
    """Who read (or exported) whose record, when, and through which page."""

    at = models.DateTimeField(_("when"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    client = models.ForeignKey(
        "casework.Client",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("client"),
    )
    case = models.ForeignKey(
        "casework.Case",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("case"),
    )
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    what = models.CharField(_("what"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("record access")
        verbose_name_plural = _("record accesses")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["client", "-id"], name="audit_access_client"),
            models.Index(fields=["user", "-id"], name="audit_access_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.client_id} @ {self.at:%Y-%m-%d %H:%M}"
