"""Every write to privacy records (DESIGN.md rules 1-4).

The services take the case the caller has already loaded through the user's scope, plus the
user; they lock the case row, check the role permission, validate, save with the acting user and
a change reason on the history row, and record notifications that are pushed only after commit.
When one raises, nothing it did is kept.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from kernel.errors import GuardFailed, InvalidInput, NotAllowed
from kernel.services import save_with_history, service
from notifications.events import Event
from notifications.publish import notify

from . import special
from .models import Answer, Consent, ConsentForm, Minority, Purpose, SpecialCategory
from .models import SpecialCategoryRecord as Record

RECORD_CONSENT = "privacy.record_consent"
WITHDRAW_CONSENT = "privacy.withdraw_consent"
RECORD_SPECIAL_CATEGORY = "privacy.record_special_category"


def _require_perm(user, permission: str) -> None:
    if not getattr(user, "is_authenticated", False) or not user.has_perm(permission):
        raise NotAllowed()


def _lock(case):
    """The case row, locked: consents of one case are written one after the other."""
    return type(case)._default_manager.select_for_update().get(pk=case.pk)


def _date(value, *, field: str, required: bool = True) -> datetime.date | None:
    if value in (None, "") and not required:
        return None
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise InvalidInput({field: [_("Enter a valid date.")]})
    return value


@service
def consent_record(
    *,
    user,
    case,
    purpose: str,
    given_on: datetime.date,
    partner=None,
    expires_on: datetime.date | None = None,
    given_how: str = ConsentForm.PAPER,
) -> Consent:
    """Record the client's consent to ``purpose`` (with ``partner`` for sharing)."""
    _require_perm(user, RECORD_CONSENT)
    case = _lock(case)
    if not case.is_active:
        raise GuardFailed(_("The case is not active: no consent can be recorded on it."))
    if purpose not in Purpose.values:
        raise InvalidInput({"purpose": [_("Choose a purpose.")]})
    given_on = _date(given_on, field="given_on")
    expires_on = _date(expires_on, field="expires_on", required=False)
    if given_on > timezone.localdate():
        raise InvalidInput({"given_on": [_("The date cannot be in the future.")]})
    if purpose == Purpose.PARTNER_SHARING:
        if partner is None or not case.programme.organisations.filter(pk=partner.pk).exists():
            raise InvalidInput({"partner": [_("Choose a partner office of the programme.")]})
    elif partner is not None:
        raise InvalidInput({"partner": [_("Only a sharing consent names a partner office.")]})
    if expires_on is not None and expires_on <= given_on:
        raise InvalidInput({"expires_on": [_("A consent must expire after it was given.")]})
    consent = Consent(
        case=case,
        purpose=purpose,
        partner=partner,
        given_on=given_on,
        given_how=given_how,
        recorded_by=user,
        expires_on=expires_on,
    )
    save_with_history(consent, user=user, reason="consent.record")
    return consent


@service
def consent_withdraw(*, user, case, consent_id: int, withdrawn_on: datetime.date) -> Consent:
    """Record that the client withdrew a consent, and tell the case's social worker what it
    implies (for a sharing consent: that the partner office must be told)."""
    _require_perm(user, WITHDRAW_CONSENT)
    case = _lock(case)
    consent = Consent.objects.filter(pk=consent_id, case=case).select_related("partner").first()
    if consent is None:
        raise InvalidInput({"consent": [_("Choose a consent of this case.")]})
    withdrawn_on = _date(withdrawn_on, field="withdrawn_on")
    if withdrawn_on > timezone.localdate():
        raise InvalidInput({"withdrawn_on": [_("The date cannot be in the future.")]})
    if consent.withdrawn_on is not None:
        raise GuardFailed(_("This consent has been withdrawn already."))
    if withdrawn_on < consent.given_on:
        raise InvalidInput(
            {"withdrawn_on": [_("A consent cannot be withdrawn before it was given.")]}
        )
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_by = user
    save_with_history(consent, user=user, reason="consent.withdraw")
    if consent.purpose == Purpose.PARTNER_SHARING:
        notify(
            recipient=case.social_worker,
            event=Event.CONSENT_WITHDRAWN_TELL_PARTNER,
            params={"case": case.number, "partner": consent.partner.name},
            url=case.get_absolute_url(),
            case=case,
        )
    else:
        notify(
            recipient=case.social_worker,
            event=Event.CONSENT_WITHDRAWN,
            params={"case": case.number, "purpose": Purpose(consent.purpose).label},
            url=case.get_absolute_url(),
            case=case,
        )
    return consent


# Error reports (the 500 e-mail, the debug page) list every frame's variables: none of the
# frames from here down (the service wrapper's keyword arguments included).
@sensitive_variables()
@service
def special_category_record(
    *,
    user,
    case,
    category: str,
    answer: str,
    minority: str = "",
    note: str = "",
    reason: str = "",
) -> Record:
    """Record what the client of ``case`` said about a special category, or correct it.

    Only a user entitled to see the category on this case (``privacy.special``) and allowed to
    record such data may write it. A correction states its reason, kept on the row and so in its
    history. Nothing is announced: a notification would carry the fact to someone else's screen.
    Errors name the field, never the value."""
    _require_perm(user, RECORD_SPECIAL_CATEGORY)
    if category not in SpecialCategory.values or not special.can_see(user, category, case):
        raise NotAllowed()
    case = _lock(case)
    if answer not in Answer.values:
        raise InvalidInput({"answer": [_("Choose an answer.")]})
    minority = minority or ""
    if minority and minority not in Minority.values:
        raise InvalidInput({"minority": [_("Choose a minority from the list.")]})
    if minority and (category != SpecialCategory.ETHNICITY or answer != Answer.YES):
        raise InvalidInput(
            {"minority": [_("A minority is named only when the client said they belong to one.")]}
        )
    note, reason = (note or "").strip(), (reason or "").strip()
    record = (
        Record.objects.select_for_update()
        .filter(client_id=case.client_id, category=category)
        .first()
    )
    if record is None:
        record = Record(client_id=case.client_id, category=category)
        code = "special_category.record"
    else:
        if (record.answer, record.minority, record.note) == (answer, minority, note):
            return record
        if not reason:
            raise InvalidInput({"reason": [_("Say why the record is corrected.")]})
        code = "special_category.correct"
    record.answer, record.minority, record.note = answer, minority, note
    record.correction_reason = reason
    record.recorded_by = user
    record.recorded_at = timezone.now()
    save_with_history(record, user=user, reason=code)
    return record
