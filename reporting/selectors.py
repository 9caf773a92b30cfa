"""The report a programme admin or supervisor reads, scoped as every read is (DESIGN.md rule 5):
a programme admin the whole consortium's figures and the case numbers behind them, a
supervisor their own organisation's; nobody else a programme's report."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from casework.models import Organisation, Programme
from casework.roles import Role, roles_of
from casework.selectors import organisation_of, programmes_for
from kernel.errors import NotFound

from . import passes
from .indicators import INDICATORS, Indicator, Scope
from .models import Target


def report_scope(*, user, programme_id: int, as_of: datetime.date | None = None) -> Scope:
    roles = roles_of(user)
    if not roles & {Role.PROGRAMME_ADMIN, Role.SUPERVISOR}:
        raise NotFound()
    try:
        programme = programmes_for(user=user).get(pk=programme_id)
    except (Programme.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    organisations = None
    if Role.PROGRAMME_ADMIN not in roles:
        organisations = frozenset({organisation_of(user).pk})
    return Scope(
        programme=programme, as_of=as_of or timezone.localdate(), organisation_ids=organisations
    )


def reportable_programmes(*, user) -> QuerySet[Programme]:
    if not roles_of(user) & {Role.PROGRAMME_ADMIN, Role.SUPERVISOR}:
        return Programme.objects.none()
    return programmes_for(user=user)


@dataclass
class Progress:
    """One figure against its target, with the pace it is reached at."""

    value: Decimal | int
    target: Target | None = None
    projected: Decimal | None = None

    @property
    def percent(self) -> int | None:
        if self.target is None:
            return None
        return int(min(Decimal(100), Decimal(self.value) * 100 / self.target.value))

    @property
    def on_track(self) -> bool | None:
        if self.target is None or self.projected is None:
            return None
        return self.projected >= self.target.value


@dataclass
class IndicatorReport:
    indicator: Indicator
    total: Progress
    by_organisation: list[tuple[Organisation, Progress]] = field(default_factory=list)
    by_location: list[tuple[str, Progress]] = field(default_factory=list)
    # ``(month end, value then)`` from the programme's start to the report's date.
    series: list[tuple[datetime.date, Decimal | int]] = field(default_factory=list)


def month_ends(start: datetime.date, end: datetime.date, *, most: int = 48) -> list[datetime.date]:
    """The last day of every month from ``start``'s to ``end``'s (``end`` itself last)."""
    days = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month) and len(days) < most:
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        days.append(min(following - datetime.timedelta(days=1), end))
        year, month = following.year, following.month
    return days


def _projected(value, scope: Scope, target: Target | None) -> Decimal | None:
    """The value at the target's deadline if it keeps growing at its pace so far (from the
    programme's start, above the baseline)."""
    if target is None:
        return None
    start = scope.programme.starts_on
    elapsed = (scope.as_of - start).days
    remaining = (target.deadline - scope.as_of).days
    if elapsed <= 0:
        return None
    if remaining <= 0:
        return Decimal(value)
    gained = Decimal(value) - target.baseline
    pace = max(Decimal(0), gained) / elapsed
    return (Decimal(value) + pace * remaining).quantize(Decimal("1"))


def _progress(value, scope: Scope, target: Target | None) -> Progress:
    return Progress(value=value, target=target, projected=_projected(value, scope, target))


def indicator_report(*, scope: Scope) -> list[IndicatorReport]:
    """Every indicator of the registry: its total and its breakdown per partner and location,
    each against the target committed for it, and its cumulative value month by month. One
    query per set of indicators over the same records (``reporting.passes``), one for the
    targets and one for the organisations, whatever the number of records."""
    targets = {
        (t.indicator, t.organisation_id, t.settlement): t
        for t in Target.objects.filter(programme=scope.programme)
    }
    organisations = Organisation.objects.in_bulk(
        scope.organisation_ids
        if scope.organisation_ids is not None
        else scope.programme.organisations.values_list("pk", flat=True)
    )
    months = month_ends(scope.programme.starts_on, scope.as_of)
    # Indicators over the same records share their passes (reporting.passes). The grouped
    # (ESF+) indicators are tables, without a chart: no monthly series.
    figures = passes.figures_of(
        [(indicator, [] if indicator.group else months) for indicator in INDICATORS.values()],
        scope,
    )
    reports = []
    for code, indicator in INDICATORS.items():
        total, places, series = figures[code]
        # A supervisor's own organisation stands in for the consortium's target.
        whole = targets.get((code, None, "")) if scope.organisation_ids is None else None
        report = IndicatorReport(indicator, _progress(total, scope, whole))
        if not indicator.group:
            report.series = list(zip(months, series, strict=True))
        per_org: dict[int, Decimal | int] = {}
        per_location: dict[str, Decimal | int] = {}
        for (org_id, place), value in places.items():
            per_org[org_id] = per_org.get(org_id, 0) + value
            per_location[place] = per_location.get(place, 0) + value
        for t_code, org_id, settlement in targets:
            if t_code != code:
                continue
            if org_id is not None and not settlement and org_id in organisations:
                per_org.setdefault(org_id, 0)
            if org_id is None and settlement and scope.organisation_ids is None:
                per_location.setdefault(settlement, 0)
        report.by_organisation = [
            (organisations[org_id], _progress(value, scope, targets.get((code, org_id, ""))))
            for org_id, value in sorted(per_org.items(), key=lambda item: -item[1])
            if org_id in organisations
        ]
        report.by_location = [
            (place, _progress(value, scope, targets.get((code, None, place))))
            for place, value in sorted(per_location.items(), key=lambda item: (-item[1], item[0]))
        ]
        reports.append(report)
    return reports


def records_behind(*, scope: Scope, code: str, organisation_id=None, location=None):
    """The records one number counts, scoped like it, newest first."""
    indicator = INDICATORS.get(code)
    if indicator is None:
        raise NotFound()
    rows = indicator.records_behind(scope)
    if organisation_id is not None:
        rows = rows.filter(**{indicator.measure.organisation: organisation_id})
    if location is not None:
        rows = rows.filter(**{indicator.measure.location: location})
    related = {
        "case": ["plan"],
        "attendance": ["case", "session"],
        "screening": ["case"],
        "placement": ["case"],
        "referral": ["case", "partner"],
        "event": [],
        "attendee": ["event"],
        "entry": ["case"],
        "follow_up": ["case"],
    }.get(indicator.lists, [])
    return indicator, rows.select_related(*related).order_by("-pk")


def programme_targets(*, user, programme_id: int) -> QuerySet[Target]:
    """The committed targets of a programme the user reports on, with their partners, in one
    query (the set-up page's table)."""
    programme = reportable_programmes(user=user).filter(pk=programme_id).first()
    if programme is None:
        raise NotFound()
    return (
        Target.objects.filter(programme=programme)
        .select_related("organisation")
        .order_by("indicator", "organisation__name", "settlement")
    )
