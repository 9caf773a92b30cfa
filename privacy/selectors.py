"""Reads of privacy records, and the questions other apps ask before they process data."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.errors import GuardFailed

from . import special
from .models import (
    Answer,
    BreakGlassGrant,
    Consent,
    Purpose,
    RightsRequest,
    RightsRequestKind,
    RightsRequestStatus,
    SpecialCategory,
    SpecialCategoryRecord,
    active_grants_q,
    in_force_q,
)

EXPIRY_WARNING_DAYS = 30

_PENDING_FIRST = Case(
    When(status=RightsRequestStatus.PENDING, then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)

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


def special_categories_for(user, case) -> list[dict]:
    """The special categories ``user`` may see on ``case``, each with its current record (or
    ``None``) and its earlier versions, newest first. Categories the user may not see are not in
    the list at all. Two queries, whatever the number of categories."""
    categories = special.visible_categories(user, case)
    if not categories:
        return []
    records = {
        record.category: record
        for record in SpecialCategoryRecord.objects.filter(
            client_id=case.client_id, category__in=categories
        ).select_related("recorded_by")
    }
    versions: dict[str, list] = {category: [] for category in categories}
    history = (
        SpecialCategoryRecord.history.filter(client_id=case.client_id, category__in=categories)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    for row in history:
        versions[row.category].append(row)
    return [
        {
            "category": category,
            "label": SpecialCategory(category).label,
            "record": records.get(category),
            "versions": versions[category],
        }
        for category in categories
    ]


def special_target_groups(client_id: int) -> list[str]:
    """The special categories answered "yes" that make the client one of the programme's
    target groups (disability, ex-offender). For the intake guard: it says whether a target
    group is known, never which."""
    return list(
        SpecialCategoryRecord.objects.filter(
            client_id=client_id,
            category__in=special.TARGET_GROUP_CATEGORIES,
            answer=Answer.YES,
        ).values_list("category", flat=True)
    )


# Funder reports show no count of a special category below this: a group of one or two people
# in a settlement is the people themselves.
SMALL_CELL = 5
NOT_RECORDED = "not_recorded"


def special_answer_counts(
    *, categories: Iterable[str], clients: QuerySet, min_cell: int = SMALL_CELL
) -> dict[str, dict[str, int | None]]:
    """How many of ``clients`` (a queryset of ``casework.Client``) gave each answer about each
    of ``categories``, for aggregate reports: ``{category: {"yes": n, "no": n, "declined": n,
    "not_recorded": n}}``. A count between 1 and ``min_cell - 1`` is ``None`` (suppressed); when
    that leaves a single suppressed cell in a category, the next smallest is suppressed too, so
    that the total cannot give it back. When every other cell is zero, a zero is suppressed with
    it: the number of participants is published beside the breakdown, and with only zeros
    around it a hidden cell would be that number. Two queries, however many categories: the
    answers, and the clients."""
    categories = list(categories)
    if not categories:
        return {}
    found: dict[str, dict[str, int]] = {category: {} for category in categories}
    answers = (
        SpecialCategoryRecord.objects.filter(client__in=clients, category__in=categories)
        .values_list("category", "answer")
        .annotate(n=Count("id"))
        .order_by()
    )
    for category, answer, n in answers:
        found[category][answer] = n
    clients_counted = clients.count()
    return {
        category: _suppressed(found[category], clients_counted, min_cell) for category in categories
    }


def _suppressed(found: dict[str, int], clients_counted: int, min_cell: int) -> dict:
    cells: dict[str, int | None] = {answer: found.get(answer, 0) for answer in Answer.values}
    cells[NOT_RECORDED] = clients_counted - sum(found.values())
    small = [k for k, n in cells.items() if n and n < min_cell]
    if len(small) == 1:
        others = sorted((n, k) for k, n in cells.items() if n and k not in small)
        zeros = [k for k, n in cells.items() if not n]
        small += [others[0][1]] if others else zeros[:1]
    for key in small:
        cells[key] = None
    return cells


# --------------------------------------------------------------------------------------------
# Break-glass, restriction and the retention hold
# --------------------------------------------------------------------------------------------


def active_grant_case_ids(user) -> QuerySet:
    """The ids of the cases ``user`` opened by break-glass and may still read (a subquery)."""
    return BreakGlassGrant.objects.filter(active_grants_q(), user_id=user.pk).values("case_id")


def break_glass_grants(*, case_ids) -> QuerySet[BreakGlassGrant]:
    """The grants on the cases whose ids are ``case_ids`` (the caller's scoped subquery),
    unreviewed first, newest first."""
    return (
        BreakGlassGrant.objects.filter(case_id__in=case_ids)
        .select_related("case", "user", "reviewed_by")
        .order_by(F("reviewed_at").desc(nulls_first=True), "-granted_at", "-id")
    )


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def hold_until(cases) -> datetime.date | None:
    """The last day of the funder's retention hold over ``cases`` (each with its programme):
    the latest programme end + that programme's retention years."""
    ends = [add_years(case.programme.ends_on, case.programme.retention_years) for case in cases]
    return max(ends) if ends else None


def hold_applies(cases, *, today: datetime.date | None = None) -> datetime.date | None:
    """The hold's last day when it still applies on ``today``, else None."""
    until = hold_until(cases)
    today = today or timezone.localdate()
    return until if until is not None and until >= today else None


def processing_frozen() -> Exists:
    """True for an outer case query's row (its ``pk`` and ``client_id``) that may not be
    processed: a restriction in force on it, or its client erased. For annotating the locked
    case read, so the check costs no query of its own on the path every write takes."""
    return Exists(
        RightsRequest.objects.filter(
            Q(
                case_id=OuterRef("pk"),
                kind=RightsRequestKind.RESTRICTION,
                status=RightsRequestStatus.IN_FORCE,
            )
            | Q(
                case__client_id=OuterRef("client_id"),
                kind=RightsRequestKind.ERASURE,
                status=RightsRequestStatus.ERASED,
            )
        )
    )


def processing_refusal(case) -> str | None:
    """Why ``case`` may not be processed any more, or None: a restriction in force on it, or
    its client's data erased."""
    state = (
        RightsRequest.objects.filter(
            Q(
                case_id=case.pk,
                kind=RightsRequestKind.RESTRICTION,
                status=RightsRequestStatus.IN_FORCE,
            )
            | Q(
                case__client_id=case.client_id,
                kind=RightsRequestKind.ERASURE,
                status=RightsRequestStatus.ERASED,
            )
        )
        .values_list("kind", flat=True)
        .first()
    )
    if state == RightsRequestKind.RESTRICTION:
        return _(
            "Processing of this case is restricted at the client's request (GDPR Art. 18): "
            "nothing can be recorded until a supervisor lifts the restriction."
        )
    if state == RightsRequestKind.ERASURE:
        return _("The client's data have been erased: the case can no longer be processed.")
    return None


def require_processing_allowed(case) -> None:
    """Raise ``GuardFailed`` when ``case`` is frozen (restricted, or its client erased)."""
    refusal = processing_refusal(case)
    if refusal:
        raise GuardFailed(refusal)


def client_processing_refusal(client_id: int) -> str | None:
    """As ``processing_refusal``, for any case of the client."""
    frozen = (
        RightsRequest.objects.filter(
            Q(kind=RightsRequestKind.RESTRICTION, status=RightsRequestStatus.IN_FORCE)
            | Q(kind=RightsRequestKind.ERASURE, status=RightsRequestStatus.ERASED),
            case__client_id=client_id,
        )
        .values_list("case_id", "kind")
        .first()
    )
    if frozen is None:
        return None
    if frozen[1] == RightsRequestKind.RESTRICTION:
        return _(
            "Processing of this client's data is restricted at their request (GDPR Art. 18): "
            "nothing can be recorded until a supervisor lifts the restriction."
        )
    return _("The client's data have been erased: they can no longer be processed.")


def frozen_client_ids(client_ids) -> set[int]:
    """Which of ``client_ids`` may not be processed (a restriction in force on one of their
    cases, or their data erased): one query for any number of clients."""
    return set(
        RightsRequest.objects.filter(
            Q(kind=RightsRequestKind.RESTRICTION, status=RightsRequestStatus.IN_FORCE)
            | Q(kind=RightsRequestKind.ERASURE, status=RightsRequestStatus.ERASED),
            case__client_id__in=list(client_ids),
        ).values_list("case__client_id", flat=True)
    )


def rights_requests(*, case_ids) -> QuerySet[RightsRequest]:
    """Requests on the cases whose ids are ``case_ids`` (the caller's scoped subquery), those
    waiting for a decision first."""
    return (
        RightsRequest.objects.filter(case_id__in=case_ids)
        .select_related("case", "requested_by", "decided_by", "lifted_by")
        .order_by(_PENDING_FIRST, "-requested_at", "-id")
    )
