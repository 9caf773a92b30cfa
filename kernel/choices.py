"""The vocabulary casework and workflows share.

The case's stages and the statuses of its plan and follow-ups are read by the flow (which task a
stage needs, whether a plan waits for approval) as much as by casework's own models. Kept here,
below both, the flow reads a case without importing casework, and casework drives the flow
without a circle. ``casework.journey`` adds what each stage requires; the models use these as
their fields' choices.
"""

from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy


class Stage(models.TextChoices):
    INTAKE = "intake", gettext_lazy("intake")
    PLANNING = "planning", gettext_lazy("development plan")
    TRAINING = "training", gettext_lazy("trainings and counselling")
    SCREENING = "screening", gettext_lazy("health screening")
    PLACEMENT = "placement", gettext_lazy("labour-market placement")
    FOLLOW_UP = "follow_up", gettext_lazy("follow-up")
    # Adjectives of the case: Slovak makes them agree with "prípad" (context for translators).
    SUSPENDED = "suspended", pgettext_lazy("case stage", "suspended")
    CLOSED = "closed", pgettext_lazy("case stage", "closed")

    @classmethod
    def journey(cls) -> list[str]:
        """Every stage a case can pass through, in order, ending with closed."""
        return [
            cls.INTAKE,
            cls.PLANNING,
            cls.TRAINING,
            cls.SCREENING,
            cls.PLACEMENT,
            cls.FOLLOW_UP,
            cls.CLOSED,
        ]

    @classmethod
    def active(cls) -> list[str]:
        """Stages in which work on the client goes on."""
        return cls.journey()[:-1]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("draft")
    SUBMITTED = "submitted", gettext_lazy("submitted for approval")
    RETURNED = "returned", gettext_lazy("returned for changes")
    APPROVED = "approved", pgettext_lazy("development plan status", "approved")


class FollowUpStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("pending")
    REACHED = "reached", gettext_lazy("client reached")
    UNREACHABLE = "unreachable", gettext_lazy("client unreachable")
