"""The checks every service applies to what a user typed, with the field's name in the error."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .errors import InvalidInput


def clean_text(value: Any, *, field: str, required: bool = True, max_length: int = 2000) -> str:
    """``value`` stripped; refused when it is not text, empty (if required) or too long."""
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise InvalidInput({field: [_("Enter text.")]})
    if required and not text:
        raise InvalidInput({field: [_("This field is required.")]})
    if len(text) > max_length:
        message = ngettext("At most %(n)s character.", "At most %(n)s characters.", max_length)
        raise InvalidInput({field: [message % {"n": max_length}]})
    return text


def not_in_future(day: datetime.date | None, *, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise InvalidInput({field: [_("The date cannot be in the future.")]})


def paper_date(day: datetime.date | None, *, since: datetime.date, field: str) -> None:
    """A date copied from a paper record: in the past is fine (forms signed last week are
    entered today), but never in the future and never before ``since`` (the day the case
    opened), which no paper about the case can predate."""
    not_in_future(day, field=field)
    if day is not None and day < since:
        message = _("The date cannot be before %(day)s, when the case was opened.")
        raise InvalidInput({field: [message % {"day": since.isoformat()}]})
