"""Persisted notifications: the inbox, the record of every live push, who has a socket open, and
which overdue alerts were already sent."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .events import Event


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(_("event"), max_length=30, choices=Event.choices)
    # Rendered in the recipient's language when written. Never holds special-category data.
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    case = models.ForeignKey(
        "casework.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    task_id = models.BigIntegerField(_("task"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Set (with read_at) when the task it announced was given to someone else: the notification
    # stays in the inbox as history but no longer counts, is caught up, or is emailed.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    # Whether the recipient had a live socket when the row was written. Those who had none get
    # the notification in an email digest (``digests.send_digests``).
    recipient_online = models.BooleanField(_("recipient was online"), default=False)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "-id"]),
            models.Index(
                fields=["recipient", "id"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            # The digest's work list: small, because rows leave it once read or emailed.
            models.Index(
                fields=["recipient", "id"],
                condition=models.Q(
                    read_at__isnull=True, emailed_at__isnull=True, recipient_online=False
                ),
                name="notification_digest_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def unread(self) -> bool:
        return self.read_at is None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def as_message(self) -> dict:
        """The JSON pushed to the browser."""
        return {
            "id": self.pk,
            "event": self.event,
            "title": self.title,
            "url": self.url,
            "created_at": self.created_at.isoformat(),
            "unread": self.unread,
        }


class SocketPresence(models.Model):
    """One open notification socket. Kept in the database, not in process memory, so that every
    daphne process (and the digest command) sees who is online. A process that dies leaves its
    rows behind: ``last_seen_at`` stops moving and they count as gone after
    ``presence.STALE_AFTER``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    connected_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("open notification socket")
        verbose_name_plural = _("open notification sockets")
        indexes = [models.Index(fields=["user", "last_seen_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.channel_name}"


class OverdueAlert(models.Model):
    """An overdue reminder or escalation already sent: makes ``notify_overdue`` idempotent (one
    reminder per task, recipient and day; one escalation per task), even when two runs overlap."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("reminder")
        ESCALATION = "escalation", _("escalation")

    task_id = models.BigIntegerField(_("task"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    on_date = models.DateField(_("day"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("overdue alert")
        verbose_name_plural = _("overdue alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["task_id", "recipient", "on_date"],
                condition=models.Q(kind="reminder"),
                name="one_overdue_reminder_per_task_recipient_day",
            ),
            models.UniqueConstraint(
                fields=["task_id"],
                condition=models.Q(kind="escalation"),
                name="one_overdue_escalation_per_task",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.task_id} {self.on_date}"
