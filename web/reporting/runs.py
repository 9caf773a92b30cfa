"""The pages of generated reports and export jobs: a programme's monitoring periods (generate a
report for one), the reports generated (list; one report's frozen figures beside today's, with
the differences marked), and the user's own export jobs with their progress and files.

These pages read from the primary database, not from the report replica: a report or a job
is read right after it is written (the redirect after generating, the progress poll), which a
replica a moment behind would answer with a 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.errors import InvalidInput, NotFound, ServiceError
from reporting import jobs, runs, selectors
from reporting.models_runs import ExportFormat, ExportKind, JobStatus, ReportRun
from reporting.periods import periods_of
from web.forms import ChoiceField, DateInput, attach_errors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope(request: HttpRequest, programme_id: int):
    try:
        return selectors.report_scope(user=request.user, programme_id=programme_id)
    except NotFound:
        raise Http404() from None


class GenerateForm(forms.Form):
    period = forms.IntegerField(widget=forms.HiddenInput)
    records_at = forms.DateTimeField(
        label=gettext_lazy("as the records stood at (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy(
            "Empty: today's records. A past moment rebuilds the report from the history."
        ),
    )


@login_required
def periods(request: HttpRequest, programme_id: int) -> HttpResponse:
    scope = _scope(request, programme_id)
    programme = scope.programme
    form = GenerateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = runs.report_generate(
                user=request.user,
                programme_id=programme.pk,
                period_number=form.cleaned_data["period"],
                records_at=form.cleaned_data["records_at"],
            )
        except InvalidInput as error:
            attach_errors(form, error)
        except NotFound:
            raise Http404() from None
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Report generated; its figures are kept as they are now."))
            return redirect("reporting:run_detail", run_id=run.pk)
    today = timezone.localdate()
    counts: dict[int, int] = {}
    for number in runs.run_list(user=request.user, programme_id=programme.pk).values_list(
        "period_number", flat=True
    ):
        counts[number] = counts.get(number, 0) + 1
    rows = [
        {"period": period, "state": period.state(today), "runs": counts.get(period.number, 0)}
        for period in periods_of(programme)
    ]
    status = 400 if form.is_bound and form.errors else 200
    context = {"programme": programme, "rows": rows, "form": form, "scope": scope}
    return render(request, "reporting/periods.html", context, status=status)


@login_required
def run_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    scope = _scope(request, programme_id)
    try:
        rows = runs.run_list(user=request.user, programme_id=programme_id)
    except NotFound:
        raise Http404() from None
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(request, "reporting/runs.html", {"programme": scope.programme, "page": page})


def _run(request: HttpRequest, run_id: int) -> ReportRun:
    try:
        return runs.run_get(user=request.user, run_id=run_id)
    except NotFound:
        raise Http404() from None


@login_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    if request.method == "POST":
        try:
            runs.report_submit(user=request.user, run_id=run.pk)
        except NotFound:
            raise Http404() from None
        except InvalidInput as error:
            for errors in error.field_errors.values():
                for message in errors:
                    messages.error(request, message)
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Recorded as submitted to the funder."))
        return redirect("reporting:run_detail", run_id=run.pk)
    check = request.GET.get("against") == "history"
    lines = runs.compare(run, at=run.records_at if check else None)
    indicators = runs.INDICATORS
    context = {
        "run": run,
        "programme": run.programme,
        "lines": [(line, indicators.get(line.figure.indicator)) for line in lines],
        "differences": sum(1 for line in lines if line.differs),
        "against_history": check,
        "omitted": [indicators[code].label for code in run.omitted if code in indicators],
        "can_submit": run.submitted_at is None,
    }
    return render(request, "reporting/run_detail.html", context)


@login_required
def run_export(request: HttpRequest, run_id: int, fmt: str) -> HttpResponse:
    """The indicator table of a generated report, from its frozen figures."""
    run = _run(request, run_id)
    if fmt not in ExportFormat.values:
        raise Http404()
    rows = jobs.indicator_table_rows(runs.frozen_figures(run))
    content = jobs.render(
        jobs.indicator_table_header(),
        rows,
        fmt=fmt,
        title=run.programme.funder_code or "indicators",
        as_of=run.as_of,
    )
    name = f"{run.programme.funder_code}-report-{run.period_number}-{run.pk}.{fmt}"
    response = HttpResponse(
        content, content_type=XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ExportForm(forms.Form):
    kind = ChoiceField(label=gettext_lazy("export"), choices=ExportKind.choices)
    format = ChoiceField(label=gettext_lazy("format"), choices=ExportFormat.choices)
    as_of = forms.DateField(label=gettext_lazy("records dated up to"), widget=DateInput())


@login_required
def export_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    scope = _scope(request, programme_id)
    form = ExportForm(request.POST or None, initial={"as_of": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.export_request(
                user=request.user,
                programme_id=scope.programme.pk,
                kind=form.cleaned_data["kind"],
                fmt=form.cleaned_data["format"],
                as_of=form.cleaned_data["as_of"],
            )
        except InvalidInput as error:
            attach_errors(form, error)
        except NotFound:
            raise Http404() from None
        else:
            return redirect("reporting:export_detail", job_id=job.pk)
    page = Paginator(
        jobs.jobs_of(user=request.user).filter(programme=scope.programme), 25
    ).get_page(request.GET.get("page"))
    status = 400 if form.is_bound and form.errors else 200
    context = {"programme": scope.programme, "form": form, "page": page}
    return render(request, "reporting/exports.html", context, status=status)


def _job(request: HttpRequest, job_id: int, *, with_file: bool = False):
    try:
        return jobs.job_get(user=request.user, job_id=job_id, with_file=with_file)
    except NotFound:
        raise Http404() from None


def _status(job) -> dict:
    return {
        "status": job.status,
        "label": str(job.get_status_display()),
        "percent": job.percent,
        "download": (
            reverse("reporting:export_download", args=[job.pk])
            if job.status == JobStatus.DONE
            else None
        ),
        "error": job.error,
    }


@login_required
def export_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    return render(request, "reporting/export_detail.html", {"job": job, "state": _status(job)})


@login_required
def export_status(request: HttpRequest, job_id: int) -> JsonResponse:
    """What the job page polls."""
    return JsonResponse(_status(_job(request, job_id)))


@login_required
def export_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id, with_file=True)
    if job.status != JobStatus.DONE or job.content is None:
        raise Http404()
    response = HttpResponse(
        bytes(job.content),
        content_type=XLSX if job.format == "xlsx" else "text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response
