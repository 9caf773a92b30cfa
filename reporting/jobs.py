"""Long exports off the request thread: a job table, a runner, progress the page polls.

Design. No Celery: a job is an ``ExportJob`` row. Asking for an export writes the row (queued)
and, after the transaction commits, starts a daemon thread in the same process that runs it
(``REPORTING_EXPORT_RUNNER = "thread"``, the default). That works under daphne (which serves each
request from a thread pool; the export's thread opens its own database connection and closes it)
and needs no second process for the demo. What a thread cannot survive, a restart of the worker
process, the management command ``run_export_jobs`` covers: it runs queued jobs and requeues a
running job whose heartbeat stopped (its thread died with its process). A deployment that wants
exports out of the web workers altogether sets ``REPORTING_EXPORT_RUNNER = "worker"`` and runs
the command under systemd or cron; tests set ``"inline"`` (the job runs in the on-commit
callback, in the test's own thread and transaction).

Whoever runs a job first claims it with a conditional update (queued -> running), so a thread
and a worker command never run the same job twice. The file is stored in the row (the exports
are aggregates, kilobytes to a few megabytes) so that any daphne worker can serve it; only the
user who asked can download it (``job_get``: anyone else's job answers 404).
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from openpyxl import Workbook

from casework.models import Programme
from community.models import CommunityEvent
from kernel.errors import InvalidInput, NotFound
from kernel.services import service
from kernel.spreadsheets import safe_cell

from . import runs
from .indicators import INDICATORS, Scope
from .models_runs import ExportFormat, ExportJob, ExportKind, FigureLevel, JobStatus
from .routers import reading_reports
from .selectors import report_scope

log = logging.getLogger(__name__)

EVENTS_PER_STEP = 500
# A running job whose heartbeat is older than this lost its thread or worker.
STALE_AFTER = datetime.timedelta(minutes=5)


# -- the files ------------------------------------------------------------------------------


def indicator_table_header() -> list[str]:
    return [
        _("indicator code"),
        _("indicator"),
        _("partner organisation"),
        _("location"),
        _("value"),
        _("committed value"),
        _("deadline"),
    ]


def indicator_table_rows(figures: list[runs.Figure]) -> list[list]:
    """The indicator table (one row per indicator and place) from a report's figures: the shape
    of ``reporting.exports``, for a job's figures and a frozen run's alike."""
    rows = []
    for f in figures:
        indicator = INDICATORS.get(f.indicator)
        label = str(indicator.label) if indicator else f.indicator
        organisation = f.organisation_name if f.level == FigureLevel.ORGANISATION else ""
        location = f.location if f.level == FigureLevel.LOCATION else ""
        value = int(f.value) if f.value == f.value.to_integral_value() else f.value
        rows.append(
            [
                f.indicator,
                label,
                organisation,
                location,
                value,
                f.target_value,
                f.target_deadline.isoformat() if f.target_deadline else "",
            ]
        )
    return rows


def attendance_summary_header() -> list[str]:
    return [
        _("date"),
        _("location"),
        _("partner organisation"),
        _("kind"),
        _("title"),
        _("clients"),
        _("guests"),
    ]


def attendance_events(scope: Scope) -> QuerySet[CommunityEvent]:
    """The programme's community events up to the scope's day, with their attendance sheet
    counted (clients and guests apart), in one query per page of events."""
    events = CommunityEvent.objects.filter(programme=scope.programme, held_on__lte=scope.as_of)
    if scope.organisation_ids is not None:
        events = events.filter(organisation_id__in=scope.organisation_ids)
    return events.annotate(
        clients=Count("attendees", filter=Q(attendees__client__isnull=False)),
        guests=Count("attendees", filter=Q(attendees__client__isnull=True)),
    ).select_related("organisation")


def attendance_summary_rows(
    scope: Scope, progress: Callable[[int, int], None] | None = None
) -> list[list]:
    """One row per event (date, location, organisation, kind, title, clients, guests), oldest
    first, and a total row; read a page of events at a time (keyset on date and id)."""
    events = attendance_events(scope).order_by("held_on", "id")
    total = events.count()
    rows: list[list] = []
    clients = guests = 0
    last: tuple | None = None
    steps = max(1, -(-total // EVENTS_PER_STEP))
    for step in range(steps):
        page = events
        if last is not None:
            page = page.filter(Q(held_on__gt=last[0]) | Q(held_on=last[0], id__gt=last[1]))
        chunk = list(page[:EVENTS_PER_STEP])
        for event in chunk:
            rows.append(
                [
                    event.held_on.isoformat(),
                    event.settlement,
                    event.organisation.name,
                    str(event.get_kind_display()),
                    event.title,
                    event.clients,
                    event.guests,
                ]
            )
            clients += event.clients
            guests += event.guests
        if chunk:
            last = (chunk[-1].held_on, chunk[-1].pk)
        if progress:
            progress(step + 1, steps + 1)
    rows.append([_("total"), "", "", "", "", clients, guests])
    return rows


def as_csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) if isinstance(cell, str) else cell for cell in row])
    return out.getvalue().encode("utf-8")


def as_xlsx(header: list[str], rows: list[list], *, title: str, footer: list | None = None):
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append([safe_cell(cell) if isinstance(cell, str) else cell for cell in row])
    if footer:
        sheet.append([])
        sheet.append(footer)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(header, rows, *, fmt: str, title: str, as_of: datetime.date) -> bytes:
    if fmt == ExportFormat.CSV:
        return as_csv(header, rows)
    return as_xlsx(header, rows, title=title, footer=[_("as of"), as_of.isoformat()])


# -- the job table --------------------------------------------------------------------------


def jobs_of(*, user) -> QuerySet[ExportJob]:
    """The user's own export jobs (nobody sees another's), without their files."""
    if not getattr(user, "is_authenticated", False):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(requested_by=user).defer("content").select_related("programme")


def job_get(*, user, job_id: int, with_file: bool = False) -> ExportJob:
    jobs = jobs_of(user=user)
    if with_file:
        jobs = ExportJob.objects.filter(requested_by=user)
    job = jobs.filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    return job


@service
def export_request(
    *, user, programme_id: int, kind: str, fmt: str, as_of: datetime.date | None = None
) -> ExportJob:
    """Queue an export of the programme, scoped as the user's dashboard is; it starts after
    the transaction commits."""
    scope = report_scope(user=user, programme_id=programme_id, as_of=as_of)
    if kind not in ExportKind.values:
        raise InvalidInput({"kind": [_("Choose an export.")]})
    if fmt not in ExportFormat.values:
        raise InvalidInput({"format": [_("Choose CSV or XLSX.")]})
    if scope.as_of > timezone.localdate():
        raise InvalidInput({"as_of": [_("Choose a day that has come.")]})
    job = ExportJob.objects.create(
        requested_by=user,
        programme=scope.programme,
        organisation_id=next(iter(scope.organisation_ids)) if scope.organisation_ids else None,
        kind=kind,
        format=fmt,
        as_of=scope.as_of,
        language=get_language() or "",
    )
    transaction.on_commit(lambda: start(job.pk))
    return job


def start(job_id: int) -> None:
    runner = getattr(settings, "REPORTING_EXPORT_RUNNER", "thread")
    if runner == "inline":
        run(job_id)
    elif runner == "thread":
        threading.Thread(
            target=_run_in_thread, args=(job_id,), name=f"export-{job_id}", daemon=True
        ).start()
    # "worker": the management command run_export_jobs picks it up.


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run(job_id)
    finally:
        connection.close()


def claim(job_id: int) -> bool:
    """Take a queued job (or a running one whose worker died): True for exactly one caller."""
    now = timezone.now()
    taken = (
        ExportJob.objects.filter(pk=job_id)
        .filter(
            Q(status=JobStatus.QUEUED)
            | Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
        )
        .update(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, steps_done=0)
    )
    return taken == 1


def _progress(job_id: int) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            steps_done=done, steps_total=total, heartbeat_at=timezone.now()
        )

    return report


def run(job_id: int) -> bool:
    """Build the job's file if this caller claims it; True when it did."""
    if not claim(job_id):
        return False
    job = ExportJob.objects.select_related("programme", "requested_by").get(pk=job_id)
    try:
        content, filename = _build(job)
    except Exception:  # the job records the failure; the worker goes on
        log.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            error=_("The export failed; ask again or tell the administrator."),
        )
        return True
    ExportJob.objects.filter(pk=job_id).update(
        status=JobStatus.DONE,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        content=content,
        filename=filename,
    )
    return True


def _build(job: ExportJob) -> tuple[bytes, str]:
    scope = Scope(
        programme=Programme.objects.get(pk=job.programme_id),
        as_of=job.as_of,
        organisation_ids=frozenset({job.organisation_id}) if job.organisation_id else None,
    )
    progress = _progress(job.pk)
    # The export's reads go to the report replica when there is one (reporting.routers).
    with override(job.language or settings.LANGUAGE_CODE), reading_reports():
        if job.kind == ExportKind.INDICATOR_TABLE:
            figures = runs.compute(scope, progress=progress)
            header, rows = indicator_table_header(), indicator_table_rows(figures)
            name = "indicators"
        else:
            header, rows = attendance_summary_header(), attendance_summary_rows(scope, progress)
            name = "attendance"
        code = scope.programme.funder_code
        content = render(header, rows, fmt=job.format, title=code or name, as_of=scope.as_of)
    return content, f"{code}-{name}-{scope.as_of.isoformat()}.{job.format}"


def run_pending(*, limit: int | None = None) -> int:
    """Run the queued jobs and those whose worker died, oldest first; how many ran."""
    stale = timezone.now() - STALE_AFTER
    pending = ExportJob.objects.filter(
        Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale)
    ).order_by("created_at", "id")
    ran = 0
    for job_id in pending.values_list("pk", flat=True)[:limit]:
        ran += run(job_id)
    return ran


def purge(*, older_than: datetime.timedelta = datetime.timedelta(days=7)) -> int:
    """Delete finished jobs (and their files) older than ``older_than``."""
    deleted, _counts = ExportJob.objects.filter(
        status__in=[JobStatus.DONE, JobStatus.FAILED],
        finished_at__lt=timezone.now() - older_than,
    ).delete()
    return deleted
