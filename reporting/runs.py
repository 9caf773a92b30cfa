"""Reports as they stood: a generated report is a record, its figures frozen.

Design. A funder report must read tomorrow exactly as it read when it was submitted, even after
the records behind it are corrected. Two ways were possible: keep only the report's parameters
and recompute it from the history tables whenever it is opened, or freeze its figures when it is
generated. Recomputing alone does not hold up: it reproduces a figure only while the rule that
computes it stays the same (the registry changes with the programme's needs), only for
indicators whose records keep their history, and it is a search of every record's history on
every view. So a report is frozen:

- ``ReportRun`` keeps its parameters (programme, monitoring period, the day records are counted
  up to, the organisation or the whole consortium, who, when, the code version) and
  ``ReportFigure`` keeps every figure (each indicator's total, per partner organisation, per
  location, with the target of then and the partner's name of then). Figures are written once
  and never changed; the run's own history records its generation and submission.
- Opening a run compares its frozen figures with the same report computed from today's records
  (``compare``): a correction made after submission shows up as a difference, never as a silent
  change of the submitted figure.
- The history tables answer the other question, what the records said at a past moment
  (``reporting.asof``): a report can be generated as the records stood then (``from_history``,
  for a period reported before Lépés kept runs, or to prove a figure), and a frozen run can be
  checked against a rebuild at its own generation moment (``compare(..., at=run.records_at)``):
  the two agree unless the rule of an indicator changed since.

Every figure set is one aggregate query per indicator and level, so generating a run costs the
same number of queries for 100 participants or 100,000.
"""

from __future__ import annotations

import datetime
import functools
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Organisation, Programme
from casework.roles import Role, roles_of
from casework.selectors import organisation_of, programmes_for
from kernel.errors import InvalidInput, NotAllowed, NotFound
from kernel.services import save_with_history, service

from . import asof, passes
from .indicators import INDICATORS, Scope
from .models import Target
from .models_runs import FigureLevel, ReportFigure, ReportRun
from .periods import Period, period_of

Key = tuple[str, str, int | None, str]  # (indicator, level, organisation id, location)


@dataclass(frozen=True)
class Figure:
    indicator: str
    level: str
    organisation_id: int | None
    location: str
    value: Decimal
    organisation_name: str = ""
    target_value: Decimal | None = None
    target_deadline: datetime.date | None = None

    @property
    def key(self) -> Key:
        return (self.indicator, self.level, self.organisation_id, self.location)


@functools.cache
def code_version() -> str:
    """The commit the code runs from: ``LEPES_CODE_VERSION`` if the deployment sets it, else
    asked of git once per process; empty when neither answers."""
    version = os.environ.get("LEPES_CODE_VERSION", "").strip()
    if version:
        return version[:64]
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip()[:64] if result.returncode == 0 else ""


def _shape(code: str, total, places: dict, targets: dict, names: dict, scope: Scope):
    """An indicator's figures at the three levels, from its total and its value per place
    (per partner and per location add the places up, as the dashboard does)."""
    per_org: dict[int, Decimal] = {}
    per_location: dict[str, Decimal] = {}
    for (org_id, place), value in places.items():
        per_org[org_id] = per_org.get(org_id, 0) + value
        per_location[place] = per_location.get(place, 0) + value

    # A place with a target but nothing counted yet is a figure too (zero), as on the dashboard.
    for t_code, org_id, settlement in targets:
        if t_code != code:
            continue
        if org_id is not None and not settlement and org_id in names:
            per_org.setdefault(org_id, 0)
        if org_id is None and settlement and scope.organisation_ids is None:
            per_location.setdefault(settlement, 0)

    def target(org_id, location):
        found = targets.get((code, org_id, location))
        return (found.value, found.deadline) if found else (None, None)

    whole = target(None, "") if scope.organisation_ids is None else (None, None)
    figures = [Figure(code, FigureLevel.TOTAL, None, "", Decimal(total), "", *whole)]
    for org_id, value in sorted(per_org.items(), key=lambda item: names.get(item[0], "")):
        if org_id not in names:
            continue
        figures.append(
            Figure(
                code,
                FigureLevel.ORGANISATION,
                org_id,
                "",
                Decimal(value),
                names[org_id],
                *target(org_id, ""),
            )
        )
    for place, value in sorted(per_location.items()):
        on_target = target(None, place) if scope.organisation_ids is None else (None, None)
        figures.append(
            Figure(code, FigureLevel.LOCATION, None, place, Decimal(value), "", *on_target)
        )
    return figures


def _context(scope: Scope) -> tuple[dict, dict]:
    targets = {
        (t.indicator, t.organisation_id, t.settlement): t
        for t in Target.objects.filter(programme=scope.programme)
    }
    ids = (
        scope.organisation_ids
        if scope.organisation_ids is not None
        else scope.programme.organisations.values_list("pk", flat=True)
    )
    names = dict(Organisation.objects.filter(pk__in=list(ids)).values_list("pk", "name"))
    return targets, names


def compute(
    scope: Scope,
    *,
    at: datetime.datetime | None = None,
    codes: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Figure]:
    """Every figure of the report: from today's records, or as they stood at ``at`` (only the
    indicators ``reporting.asof`` supports). Today's take one query per set of
    indicators over the same records (``reporting.passes``), the past ones two per indicator;
    and two for the targets and partner names."""
    codes = list(INDICATORS) if codes is None else codes
    if at is not None:
        codes = [code for code in codes if asof.supports(code)]
    targets, names = _context(scope)
    # Today's figures: indicators over the same records share their passes (reporting.passes).
    today = (
        passes.figures_of([(INDICATORS[code], []) for code in codes], scope) if at is None else {}
    )
    figures: list[Figure] = []
    for done, code in enumerate(codes):
        if at is None:
            total, places, _series = today[code]
        else:
            total, places = asof.total_at(code, scope, at), asof.by_place_at(code, scope, at)
        figures += _shape(code, total, places, targets, names, scope)
        if progress:
            progress(done + 1, len(codes))
    return figures


def scope_of(run: ReportRun) -> Scope:
    return Scope(
        programme=run.programme,
        as_of=run.as_of,
        organisation_ids=frozenset({run.organisation_id}) if run.organisation_id else None,
    )


# -- who may generate and read ------------------------------------------------------------


def _reporting_scope(user, programme_id: int) -> tuple[Programme, frozenset[int] | None]:
    """A programme admin reports on the whole consortium, a supervisor on their organisation;
    nobody else reports (404, as for any read out of scope)."""
    roles = roles_of(user)
    if not roles & {Role.PROGRAMME_ADMIN, Role.SUPERVISOR}:
        raise NotFound()
    programme = programmes_for(user=user).filter(pk=programme_id).first()
    if programme is None:
        raise NotFound()
    if Role.PROGRAMME_ADMIN in roles:
        return programme, None
    return programme, frozenset({organisation_of(user).pk})


def runs_visible_to(user) -> QuerySet[ReportRun]:
    """A programme admin sees every run of their programmes; a supervisor the runs of their own
    organisation (a consortium's run holds the other partners' figures)."""
    roles = roles_of(user)
    if not roles & {Role.PROGRAMME_ADMIN, Role.SUPERVISOR}:
        return ReportRun.objects.none()
    runs = ReportRun.objects.filter(programme__in=programmes_for(user=user))
    if Role.PROGRAMME_ADMIN in roles:
        return runs
    return runs.filter(organisation=organisation_of(user))


def run_list(*, user, programme_id: int) -> QuerySet[ReportRun]:
    _reporting_scope(user, programme_id)
    return (
        runs_visible_to(user)
        .filter(programme_id=programme_id)
        .select_related("generated_by", "submitted_by", "organisation")
    )


def run_get(*, user, run_id: int) -> ReportRun:
    run = (
        runs_visible_to(user)
        .select_related("programme", "organisation", "generated_by", "submitted_by")
        .filter(pk=run_id)
        .first()
    )
    if run is None:
        raise NotFound()
    return run


def frozen_figures(run: ReportRun) -> list[Figure]:
    return [
        Figure(
            f.indicator,
            f.level,
            f.organisation_id_then,
            f.location,
            f.value,
            f.organisation_name,
            f.target_value,
            f.target_deadline,
        )
        for f in run.figures.order_by("id")
    ]


# -- writes ---------------------------------------------------------------------------------


@service
def report_generate(
    *,
    user,
    programme_id: int,
    period_number: int,
    records_at: datetime.datetime | None = None,
) -> ReportRun:
    """Generate the report of one monitoring period and freeze its figures.

    ``records_at``: a past moment to rebuild the report from the history tables, as the records
    stood then (indicators the history cannot answer are left out and listed)."""
    programme, organisations = _reporting_scope(user, programme_id)
    period: Period | None = period_of(programme, period_number)
    now = timezone.now()
    today = timezone.localdate()
    if period is None:
        raise InvalidInput({"period": [_("Choose a monitoring period of the programme.")]})
    if period.starts_on > today:
        raise InvalidInput({"period": [_("This period has not started yet.")]})
    if records_at is not None:
        if timezone.is_naive(records_at):
            records_at = timezone.make_aware(records_at)
        if records_at > now:
            raise InvalidInput({"records_at": [_("Choose a moment in the past.")]})
        # The records cannot have counted a day that had not come yet at that moment.
        as_of = min(period.ends_on, timezone.localtime(records_at).date())
        if as_of < period.starts_on:
            raise InvalidInput(
                {"records_at": [_("At that moment the period had not started yet.")]}
            )
    else:
        as_of = period.report_date(today)
    scope = Scope(programme=programme, as_of=as_of, organisation_ids=organisations)
    figures = compute(scope, at=records_at)
    omitted = sorted(set(INDICATORS) - {f.indicator for f in figures}) if records_at else []
    run = ReportRun(
        programme=programme,
        period_number=period.number,
        period_starts_on=period.starts_on,
        period_ends_on=period.ends_on,
        as_of=as_of,
        organisation_id=next(iter(organisations)) if organisations else None,
        records_at=records_at or now,
        from_history=records_at is not None,
        omitted=omitted,
        generated_by=user,
        generated_at=now,
        code_version=code_version(),
    )
    save_with_history(run, user=user, reason="report.generate", validate=False)
    # Written once, never changed (no history of their own: see models_runs).
    ReportFigure.objects.bulk_create(
        ReportFigure(
            run=run,
            indicator=f.indicator,
            level=f.level,
            organisation_id_then=f.organisation_id,
            organisation_name=f.organisation_name,
            location=f.location,
            value=f.value,
            target_value=f.target_value,
            target_deadline=f.target_deadline,
        )
        for f in figures
    )
    return run


@service
def report_submit(*, user, run_id: int) -> ReportRun:
    """Record that this run is the report submitted to the funder (once)."""
    run = run_get(user=user, run_id=run_id)
    run = ReportRun.objects.select_for_update().get(pk=run.pk)
    if Role.PROGRAMME_ADMIN not in roles_of(user) and run.organisation_id is None:
        raise NotAllowed(_("Only a programme admin submits the consortium's report."))
    if run.submitted_at is not None:
        raise InvalidInput({"run": [_("This report was submitted already.")]})
    run.submitted_at, run.submitted_by = timezone.now(), user
    save_with_history(run, user=user, reason="report.submit", validate=False)
    return run


# -- frozen against now ---------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One figure of a run beside the same figure computed again."""

    frozen: Figure | None
    again: Figure | None

    @property
    def figure(self) -> Figure:
        return self.frozen or self.again

    @property
    def differs(self) -> bool:
        before = self.frozen.value if self.frozen else Decimal(0)
        after = self.again.value if self.again else Decimal(0)
        return before != after

    @property
    def change(self) -> Decimal:
        before = self.frozen.value if self.frozen else Decimal(0)
        after = self.again.value if self.again else Decimal(0)
        return after - before


def compare(run: ReportRun, *, at: datetime.datetime | None = None) -> list[Line]:
    """The run's frozen figures beside the same report computed again, from today's records
    (``at`` None) or as the records stood at ``at``. A figure on one side only (a location that
    appeared with a correction) is compared with zero. Rebuilding from the history compares only
    the indicators it can compute."""
    frozen = frozen_figures(run)
    codes = list(dict.fromkeys(f.indicator for f in frozen if f.indicator in INDICATORS))
    again = compute(scope_of(run), at=at, codes=codes)
    if at is not None:
        kept = {f.indicator for f in again}
        frozen = [f for f in frozen if f.indicator in kept]
    fresh = {f.key: f for f in again}
    lines = [Line(f, fresh.pop(f.key, None)) for f in frozen]
    # New places go after the frozen figures of their indicator.
    order = {code: n for n, code in enumerate(codes)}
    for figure in fresh.values():
        lines.append(Line(None, figure))
    levels = {FigureLevel.TOTAL: 0, FigureLevel.ORGANISATION: 1, FigureLevel.LOCATION: 2}
    lines.sort(key=lambda line: (order.get(line.figure.indicator, 99), levels[line.figure.level]))
    return lines
