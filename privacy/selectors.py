"""Reads of privacy records, and the questions other apps ask before they process data."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.errors import GuardFailed

from .models import Consent, Purpose, in_force_q

EXPIRY_WARNING_DAYS = 30

MISSING = {
    Purpose.SERVICE: gettext_lazy("Record the client's consent to data processing."),
    Purpose.ESF_REPORTING: gettext_lazy("Record the client's consent to ESF+ reporting."),
    Purpose.EVENT_PHOTOS: gettext_lazy("Record the client's consent to photos at events."),
}


def missing_consent_message(purpose: str, partner=None) -> str:
    if purpose == Purpose.PARTNER_SHARING:
        return _("Record the client's consent to sharing their data with %(partner)s.") % {
            "partner": partner.name if partner is not None else _("the partner office")
        }
    return str(MISSING[purpose])


def has_consent(case, purpose: str, partner=None, *, on: datetime.date | None = None) -> bool:
    day = on or timezone.localdate()
    consents = Consent.objects.filter(in_force_q(day), case_id=case.pk, purpose=purpose)
    if purpose == Purpose.PARTNER_SHARING:
        consents = consents.filter(partner_id=getattr(partner, "pk", None))
    return consents.exists()


def require_consent(case, purpose: str, partner=None) -> None:
    """Raise ``GuardFailed`` naming the consent when ``case`` has none in force for
    ``purpose`` (for sharing: with ``partner``)."""
    if not has_consent(case, purpose, partner):
        raise GuardFailed(details=[missing_consent_message(purpose, partner)])


def consents_of(case) -> QuerySet[Consent]:
    return Consent.objects.filter(case_id=case.pk).select_related(
        "partner", "recorded_by", "withdrawn_by"
    )


def consents_expiring(*, cases: QuerySet, within_days: int = EXPIRY_WARNING_DAYS) -> QuerySet:
    """Consents in force today that expire within ``within_days``, of the ``cases`` given
    (the caller's scoped queryset), soonest first."""
    today = timezone.localdate()
    return (
        Consent.objects.filter(
            in_force_q(today),
            case__in=cases,
            expires_on__lte=today + datetime.timedelta(days=within_days),
        )
        .select_related("case", "partner")
        .order_by("expires_on", "id")
    )
