"""The funder report pages: the programme's indicators against their targets, and the records
behind each number (case numbers, never client files)."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kernel.errors import NotFound
from privacy.selectors import SMALL_CELL
from reporting import datasheet, exports, selectors
from reporting.indicators import GROUPS
from reporting.routers import from_replica
from reporting.special_breakdowns import special_breakdowns

from .charts import cumulative_chart


def _as_of(request: HttpRequest) -> datetime.date:
    """``?as_of=YYYY-MM-DD``, a past date; today when absent or unreadable."""
    try:
        day = datetime.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return timezone.localdate()
    return min(day, timezone.localdate())


def _scope(request: HttpRequest, programme_id: int):
    try:
        return selectors.report_scope(
            user=request.user, programme_id=programme_id, as_of=_as_of(request)
        )
    except NotFound:
        raise Http404() from None


@login_required
@from_replica
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = list(selectors.reportable_programmes(user=request.user))
    if not programmes:
        raise Http404()
    if len(programmes) == 1:
        return redirect("reporting:dashboard", programme_id=programmes[0].pk)
    return render(request, "reporting/programmes.html", {"programmes": programmes})


@login_required
@from_replica
def dashboard(request: HttpRequest, programme_id: int) -> HttpResponse:
    scope = _scope(request, programme_id)
    reports = selectors.indicator_report(scope=scope)
    start = scope.programme.starts_on
    # The ESF+ common indicators read as tables (one per group), the programme's own as cards.
    groups = {
        code: (label, [report for report in reports if report.indicator.group == code])
        for code, label in GROUPS.items()
    }
    context = {
        "scope": scope,
        "programme": scope.programme,
        "reports": [
            (report, cumulative_chart(report, start=start))
            for report in reports
            if not report.indicator.group
        ],
        "esf_groups": list(groups.values()),
        "special_breakdowns": special_breakdowns(scope=scope),
        "small_cell": SMALL_CELL,
        "whole_consortium": scope.organisation_ids is None,
        "as_of_is_today": scope.as_of == timezone.localdate(),
    }
    return render(request, "reporting/dashboard.html", context)


@login_required
@from_replica
def records(request: HttpRequest, programme_id: int, code: str) -> HttpResponse:
    scope = _scope(request, programme_id)
    organisation = request.GET.get("organisation")
    location = request.GET.get("location")
    try:
        organisation_id = int(organisation) if organisation else None
    except ValueError:
        raise Http404() from None
    try:
        indicator, rows = selectors.records_behind(
            scope=scope, code=code, organisation_id=organisation_id, location=location
        )
    except NotFound:
        raise Http404() from None
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "scope": scope,
        "programme": scope.programme,
        "indicator": indicator,
        "page": page,
        "location": location,
        "organisation_id": organisation_id,
    }
    return render(request, "reporting/records.html", context)


@login_required
@from_replica
def export(request: HttpRequest, programme_id: int, fmt: str) -> HttpResponse:
    """The aggregated indicator table as CSV or XLSX, as of the dashboard's date."""
    scope = _scope(request, programme_id)
    name = f"{scope.programme.funder_code}-indicators-{scope.as_of.isoformat()}"
    if fmt == "csv":
        response = HttpResponse(exports.as_csv(scope=scope), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            exports.as_xlsx(scope=scope),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404()
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@from_replica
def esf_datasheet(request: HttpRequest, programme_id: int, fmt: str) -> HttpResponse:
    """The participant-level ESF+ data sheet (one row per participant) as CSV or XLSX, as of
    the dashboard's date and scoped like it."""
    scope = _scope(request, programme_id)
    name = f"{scope.programme.funder_code}-esf-participants-{scope.as_of.isoformat()}"
    if fmt == "csv":
        response = HttpResponse(
            datasheet.as_csv(scope=scope, user=request.user), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        response = HttpResponse(
            datasheet.as_xlsx(scope=scope, user=request.user),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404()
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
