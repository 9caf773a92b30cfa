"""What a service says when it refuses. Views and the API map these to responses; nothing is
written when one is raised, because every service runs in one transaction."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

__all__ = [
    "CaseworkError",
    "GuardFailed",
    "InvalidInput",
    "NotAllowed",
    "NotFound",
    "StageConflict",
]


class CaseworkError(Exception):
    """Base class: a refusal the user can act on. ``code`` is stable and machine-readable."""

    code = "casework_error"
    default_message = _("The action could not be done.")

    def __init__(self, message=None, *, details: list[str] | None = None):
        self.message = message if message is not None else self.default_message
        self.details = details or []
        super().__init__(str(self.message))

    def __str__(self) -> str:
        if self.details:
            return f"{self.message} " + " ".join(str(detail) for detail in self.details)
        return str(self.message)


class NotFound(CaseworkError):
    """The record does not exist or is outside the user's scope: the two look the same."""

    code = "not_found"
    default_message = _("No such record.")


class NotAllowed(CaseworkError):
    """The user can see the record but their role may not do this to it."""

    code = "not_allowed"
    default_message = _("Your role does not allow this action on this case.")


class StageConflict(CaseworkError):
    """The case moved on while the user was looking at it."""

    code = "stage_conflict"
    default_message = _(
        "The case has changed meanwhile (someone else acted on it). Reload the page and check."
    )


class GuardFailed(CaseworkError):
    """The step is not ready: ``details`` name everything that is missing."""

    code = "guard_failed"
    default_message = _("This step cannot be taken yet.")


class InvalidInput(CaseworkError):
    """Field-level validation errors, as ``{field: [messages]}``."""

    code = "invalid"
    default_message = _("Please correct the errors below.")

    def __init__(self, field_errors: dict[str, list[str]], message=None):
        self.field_errors = field_errors
        super().__init__(
            message,
            details=[
                f"{field}: {' '.join(map(str, errors))}" for field, errors in field_errors.items()
            ],
        )
