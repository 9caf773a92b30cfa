"""Every write to privacy records (DESIGN.md rules 1-4).

The services take the case the caller has already loaded through the user's scope, plus the
user; they lock the case row, check the role permission, validate, save with the acting user and
a change reason on the history row, and record notifications that are pushed only after commit.
When one raises, nothing it did is kept.
"""

from __future__ import annotations

import datetime

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_variables

from kernel.errors import GuardFailed, InvalidInput, NotAllowed
from kernel.services import save_with_history, service
from kernel.validators import clean_text
from notifications.events import Event
from notifications.publish import notify

from . import erasure, selectors, special
from .models import (
    BREAK_GLASS_HOURS,
    Answer,
    BreakGlassGrant,
    Consent,
    ConsentForm,
    Minority,
    Purpose,
    RightsRequest,
    RightsRequestKind,
    RightsRequestOrigin,
    RightsRequestStatus,
    SpecialCategory,
)
from .models import SpecialCategoryRecord as Record

RECORD_CONSENT = "privacy.record_consent"
WITHDRAW_CONSENT = "privacy.withdraw_consent"
RECORD_SPECIAL_CATEGORY = "privacy.record_special_category"
BREAK_GLASS = "privacy.break_glass"
REVIEW_BREAK_GLASS = "privacy.review_break_glass"
RECORD_RIGHTS_REQUEST = "privacy.record_rights_request"
DECIDE_RIGHTS_REQUEST = "privacy.decide_rights_request"
# Long enough that "x" or "ok" is not a reason a reviewer can judge.
REASON_MIN_LENGTH = 10


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
    selectors.require_processing_allowed(case)
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


# --------------------------------------------------------------------------------------------
# Break-glass
# --------------------------------------------------------------------------------------------


@service
def break_glass_grant(*, user, case, reason: str, supervisors) -> BreakGlassGrant:
    """Give ``user`` reading access to ``case`` (outside their scope: the caller checked it) for
    ``BREAK_GLASS_HOURS``, and tell the case organisation's ``supervisors`` after commit."""
    _require_perm(user, BREAK_GLASS)
    reason = clean_text(reason, field="reason", max_length=1000)
    if len(reason) < REASON_MIN_LENGTH:
        raise InvalidInput(
            {
                "reason": [
                    ngettext(
                        "State the reason in at least %(n)s character.",
                        "State the reason in at least %(n)s characters.",
                        REASON_MIN_LENGTH,
                    )
                    % {"n": REASON_MIN_LENGTH}
                ]
            }
        )
    case = _lock(case)
    now = timezone.now()
    grant = BreakGlassGrant(
        case=case,
        user=user,
        reason=reason,
        granted_at=now,
        expires_at=now + datetime.timedelta(hours=BREAK_GLASS_HOURS),
    )
    save_with_history(grant, user=user, reason="break_glass.open", validate=False)
    for supervisor in sorted(set(supervisors) - {user}, key=lambda u: u.pk):
        notify(
            recipient=supervisor,
            event=Event.BREAK_GLASS,
            params={"case": case.number, "user": user.get_full_name() or user.get_username()},
            url=_url("privacy:break_glass_review"),
            case=case,
        )
    return grant


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a site without the pages (the API alone)
        return ""


@service
def break_glass_review(*, user, grant: BreakGlassGrant, note: str) -> BreakGlassGrant:
    """A supervisor marks a break-glass access as reviewed, with a note. ``grant`` comes from
    the caller's scoped list."""
    _require_perm(user, REVIEW_BREAK_GLASS)
    note = clean_text(note, field="note", max_length=1000)
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.user_id == user.pk:
        raise NotAllowed(_("Four eyes: you cannot review your own break-glass access."))
    if grant.reviewed_at is not None:
        raise GuardFailed(_("This access has been reviewed already."))
    grant.reviewed_by = user
    grant.reviewed_at = timezone.now()
    grant.review_note = note
    save_with_history(grant, user=user, reason="break_glass.review", validate=False)
    return grant


# --------------------------------------------------------------------------------------------
# Erasure and restriction (GDPR Art. 17 and 18)
# --------------------------------------------------------------------------------------------

_OPEN = (RightsRequestStatus.PENDING, RightsRequestStatus.WAITING, RightsRequestStatus.IN_FORCE)


@service
def rights_request_record(
    *, user, case, kind: str, received_on: datetime.date, details: str = "", supervisors=()
) -> RightsRequest:
    """Record the client's request to erase (Art. 17) or restrict (Art. 18) their data; a
    supervisor other than ``user`` decides it: the case organisation's ``supervisors`` are told
    after commit."""
    _require_perm(user, RECORD_RIGHTS_REQUEST)
    if kind not in RightsRequestKind.values:
        raise InvalidInput({"kind": [_("Choose erasure or restriction.")]})
    received_on = _date(received_on, field="received_on")
    if received_on > timezone.localdate():
        raise InvalidInput({"received_on": [_("The date cannot be in the future.")]})
    details = clean_text(details, field="details", required=False, max_length=2000)
    case = _lock(case)
    open_requests = RightsRequest.objects.filter(kind=kind, status__in=_OPEN)
    if kind == RightsRequestKind.ERASURE:
        # Erasure is of the person: one request covers every case of the client.
        open_requests = open_requests.filter(case__client_id=case.client_id)
    else:
        open_requests = open_requests.filter(case=case)
    if open_requests.exists():
        raise GuardFailed(_("Such a request is already open for this client."))
    if RightsRequest.objects.filter(
        case__client_id=case.client_id,
        kind=RightsRequestKind.ERASURE,
        status=RightsRequestStatus.ERASED,
    ).exists():
        raise GuardFailed(_("The client's data have been erased already."))
    request = RightsRequest(
        case=case,
        kind=kind,
        received_on=received_on,
        details=details,
        requested_by=user,
        requested_at=timezone.now(),
    )
    save_with_history(request, user=user, reason=f"rights.record_{kind}", validate=False)
    for supervisor in sorted(set(supervisors) - {user}, key=lambda u: u.pk):
        notify(
            recipient=supervisor,
            event=Event.RIGHTS_REQUESTED,
            params={"case": case.number},
            url=_url("privacy:case_rights", case.pk),
            case=case,
        )
    return request


def _locked_request(request: RightsRequest) -> RightsRequest:
    return (
        RightsRequest.objects.select_for_update()
        .select_related("case__programme", "case__client")
        .get(pk=request.pk)
    )


@service
def rights_request_decide(
    *, user, request: RightsRequest, approve: bool, note: str = ""
) -> RightsRequest:
    """A supervisor other than the one who recorded it decides a request (four eyes).

    An approved restriction is in force at once. An approved erasure is carried out at once
    when every case of the client is closed and the funder's retention hold is over; while the
    hold applies it waits (``held_until``) for ``manage.py purge_expired``."""
    _require_perm(user, DECIDE_RIGHTS_REQUEST)
    _lock(request.case)
    request = _locked_request(request)
    if request.requested_by_id == user.pk:
        raise NotAllowed(_("Four eyes: you cannot decide a request you recorded."))
    if request.status != RightsRequestStatus.PENDING:
        raise GuardFailed(_("This request has been decided already."))
    note = clean_text(note, field="note", required=not approve, max_length=2000)
    request.decided_by = user
    request.decided_at = timezone.now()
    request.decision_note = note
    if not approve:
        request.status = RightsRequestStatus.REJECTED
        save_with_history(request, user=user, reason="rights.reject", validate=False)
        return request
    if request.kind == RightsRequestKind.RESTRICTION:
        request.status = RightsRequestStatus.IN_FORCE
        save_with_history(request, user=user, reason="rights.restrict", validate=False)
        return request
    cases = list(request.case.client.cases.select_related("programme").order_by("pk"))
    still_open = [case.number for case in cases if case.stage != "closed"]
    if still_open:
        raise GuardFailed(
            _("Close every case of the client before erasing their data: %(cases)s.")
            % {"cases": ", ".join(still_open)}
        )
    held = selectors.hold_applies(cases)
    if held is not None:
        request.status = RightsRequestStatus.WAITING
        request.held_until = held
        save_with_history(request, user=user, reason="rights.approve_erasure", validate=False)
        return request
    return _erase(request, user=user)


def _erase(request: RightsRequest, *, user) -> RightsRequest:
    request.status = RightsRequestStatus.ERASED
    request.erased_at = timezone.now()
    save_with_history(request, user=user, reason="rights.erase", validate=False)
    erasure.erase_client(user=user, client_id=request.case.client_id, what=f"art17:{request.pk}")
    request.refresh_from_db()
    return request


@service
def rights_request_lift(*, user, request: RightsRequest, note: str) -> RightsRequest:
    """A supervisor lifts a restriction in force: the case can be processed again."""
    _require_perm(user, DECIDE_RIGHTS_REQUEST)
    _lock(request.case)
    request = _locked_request(request)
    if (
        request.kind != RightsRequestKind.RESTRICTION
        or request.status != RightsRequestStatus.IN_FORCE
    ):
        raise GuardFailed(_("Only a restriction in force can be lifted."))
    note = clean_text(note, field="note", max_length=2000)
    request.status = RightsRequestStatus.LIFTED
    request.lifted_by = user
    request.lifted_at = timezone.now()
    request.decision_note = f"{request.decision_note}\n{note}".strip()
    save_with_history(request, user=user, reason="rights.lift", validate=False)
    return request


@service
def erasure_carry_out(*, user, case, today: datetime.date | None = None) -> RightsRequest:
    """Erase the client of ``case`` now that the retention hold is over: an approved erasure
    that waited for it, or, at the end of the retention period, a row recording why
    (``manage.py purge_expired``)."""
    _lock(case)
    cases = list(case.client.cases.select_related("programme").order_by("pk"))
    held = selectors.hold_applies(cases, today=today)
    if held is not None:
        raise GuardFailed(
            _(
                "The funder's retention hold applies until %(date)s: the data cannot be erased "
                "before then."
            )
            % {"date": held.isoformat()}
        )
    waiting = (
        RightsRequest.objects.select_for_update()
        .filter(
            case__client_id=case.client_id,
            kind=RightsRequestKind.ERASURE,
            status=RightsRequestStatus.WAITING,
        )
        .select_related("case")
        .first()
    )
    if waiting is None:
        waiting = RightsRequest(
            case=case,
            kind=RightsRequestKind.ERASURE,
            origin=RightsRequestOrigin.RETENTION,
            received_on=today or timezone.localdate(),
            requested_at=timezone.now(),
        )
    return _erase(waiting, user=user)
