"""Long exports run off the request thread from a job table: the attendance summary of community
events and the indicator table, as CSV and XLSX; the job claims once, reports progress, and its
file is only its requester's."""

import csv
import datetime
import io
import threading

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from community import services as community
from kernel.errors import InvalidInput, NotFound
from reporting import exports, jobs
from reporting.indicators import Scope
from reporting.models_runs import ExportJob, JobStatus

TODAY = timezone.localdate()


def _event(world, *, user, settlement, clients=(), guests=2, held_on=TODAY, kind="forum"):
    event = community.event_create(
        user=user,
        programme_id=world.programme.pk,
        kind=kind,
        title=f"Fórum {settlement}",
        settlement=settlement,
        held_on=held_on,
    )
    community.event_record_attendance(
        user=user,
        event_id=event.pk,
        client_ids=list(clients),
        guests=[(f"Guest {n}", settlement) for n in range(guests)],
    )
    return event


@pytest.fixture
def inline(settings):
    settings.REPORTING_EXPORT_RUNNER = "inline"


def _request(world, user, kind, fmt, django_capture_on_commit_callbacks, as_of=None):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.export_request(
            user=user, programme_id=world.programme.pk, kind=kind, fmt=fmt, as_of=as_of
        )
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_the_attendance_summary_lists_each_event_with_its_clients_and_guests(
    world, inline, django_capture_on_commit_callbacks
):
    from ..conftest import new_client

    person = new_client(world)
    _event(world, user=world.worker, settlement="Ózd", clients=[person.pk], guests=2)
    _event(
        world,
        user=world.worker,
        settlement="Putnok",
        guests=1,
        held_on=TODAY - datetime.timedelta(days=3),
        kind="workshop",
    )
    job = _request(
        world, world.admin, "attendance_summary", "csv", django_capture_on_commit_callbacks
    )
    assert (job.status, job.percent) == (JobStatus.DONE, 100)
    rows = list(csv.reader(io.StringIO(bytes(job.content).decode())))
    assert rows[0] == [
        "date",
        "location",
        "partner organisation",
        "kind",
        "title",
        "clients",
        "guests",
    ]
    assert rows[1] == [
        (TODAY - datetime.timedelta(days=3)).isoformat(),
        "Putnok",
        world.org.name,
        "workshop",
        "Fórum Putnok",
        "0",
        "1",
    ]
    assert rows[2][1:] == ["Ózd", world.org.name, "community forum", "Fórum Ózd", "1", "2"]
    assert rows[3] == ["total", "", "", "", "", "1", "3"]
    assert job.filename.endswith(f"-attendance-{TODAY.isoformat()}.csv")


@pytest.mark.django_db
def test_a_supervisors_attendance_summary_has_their_organisations_events_only(
    world, inline, django_capture_on_commit_callbacks
):
    _event(world, user=world.worker, settlement="Ózd")
    _event(world, user=world.other_worker, settlement="Miskolc", guests=4)
    job = _request(
        world,
        world.other_supervisor,
        "attendance_summary",
        "xlsx",
        django_capture_on_commit_callbacks,
    )
    sheet = load_workbook(io.BytesIO(bytes(job.content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row[1] for row in values[1:-3]] == ["Miskolc"]
    assert values[-3][5:] == [0, 4]


@pytest.mark.django_db
def test_the_indicator_table_job_has_the_figures_of_the_dashboards_export(
    world, inline, django_capture_on_commit_callbacks
):
    _event(world, user=world.worker, settlement="Ózd")
    _event(world, user=world.other_worker, settlement="Miskolc")
    job = _request(
        world, world.admin, "indicator_table", "xlsx", django_capture_on_commit_callbacks
    )
    sheet = load_workbook(io.BytesIO(bytes(job.content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header, body = values[0], values[1:-2]
    scope = Scope(programme=world.programme, as_of=TODAY)
    expected = exports.indicator_table(scope=scope)

    def key(row):
        return (row[0], row[2] or "", row[3] or "")

    def normal(row):
        return [row[0], row[1], row[2] or "", row[3] or "", float(row[4]), row[5], row[6] or ""]

    assert len(header) == 7
    assert sorted(map(normal, body), key=key) == sorted(map(normal, expected), key=key)
    assert values[-1] == ["as of", TODAY.isoformat(), None, None, None, None, None]


@pytest.mark.django_db
def test_progress_is_reported_step_by_step(
    world, inline, django_capture_on_commit_callbacks, monkeypatch
):
    seen = []
    original = jobs._progress

    def spy(job_id):
        report = original(job_id)

        def wrapped(done, total):
            report(done, total)
            job = ExportJob.objects.get(pk=job_id)
            seen.append((job.status, job.steps_done, job.steps_total, job.percent))

        return wrapped

    monkeypatch.setattr(jobs, "_progress", spy)
    _request(world, world.admin, "indicator_table", "csv", django_capture_on_commit_callbacks)
    total = len(jobs.INDICATORS)
    assert [s[1] for s in seen] == list(range(1, total + 1))
    assert all(status == JobStatus.RUNNING and steps == total for status, _d, steps, _p in seen)
    assert seen[0][3] == 100 // total and seen[-1][3] == 99  # 100 only when the file is saved


@pytest.mark.django_db
def test_a_job_is_claimed_once(world, settings, django_capture_on_commit_callbacks):
    settings.REPORTING_EXPORT_RUNNER = "worker"
    job = _request(
        world, world.admin, "attendance_summary", "csv", django_capture_on_commit_callbacks
    )
    assert job.status == JobStatus.QUEUED  # the worker command runs it
    assert jobs.run(job.pk) is True
    assert jobs.run(job.pk) is False
    assert jobs.run_pending() == 0
    job.refresh_from_db()
    assert job.status == JobStatus.DONE


@pytest.mark.django_db
def test_the_worker_command_runs_queued_jobs_and_those_whose_worker_died(world, settings):
    from django.core.management import call_command

    settings.REPORTING_EXPORT_RUNNER = "worker"
    jobs.export_request(
        user=world.admin, programme_id=world.programme.pk, kind="attendance_summary", fmt="csv"
    )
    lost = jobs.export_request(
        user=world.admin, programme_id=world.programme.pk, kind="indicator_table", fmt="csv"
    )
    ExportJob.objects.filter(pk=lost.pk).update(
        status=JobStatus.RUNNING, heartbeat_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    out = io.StringIO()
    call_command("run_export_jobs", stdout=out)
    assert "ran 2 export jobs" in out.getvalue()
    assert set(ExportJob.objects.values_list("status", flat=True)) == {JobStatus.DONE}


@pytest.mark.django_db
def test_a_failed_export_says_so_and_the_next_job_still_runs(world, settings, monkeypatch):
    settings.REPORTING_EXPORT_RUNNER = "worker"
    job = jobs.export_request(
        user=world.admin, programme_id=world.programme.pk, kind="attendance_summary", fmt="csv"
    )

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "attendance_summary_rows", broken)
    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error and job.content is None


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["worker", "mentor"])
def test_staff_who_do_not_report_cannot_ask_for_an_export(world, who):
    with pytest.raises(NotFound):
        jobs.export_request(
            user=getattr(world, who),
            programme_id=world.programme.pk,
            kind="indicator_table",
            fmt="csv",
        )
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_an_unknown_kind_or_format_is_refused(world):
    for kind, fmt in [("everything", "csv"), ("indicator_table", "pdf")]:
        with pytest.raises(InvalidInput):
            jobs.export_request(
                user=world.admin, programme_id=world.programme.pk, kind=kind, fmt=fmt
            )
    assert not ExportJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_thread_started_after_commit_builds_the_file_off_the_request_thread(world, settings):
    settings.REPORTING_EXPORT_RUNNER = "thread"
    started = []
    original = threading.Thread.start

    def remember(thread):
        started.append(thread)
        original(thread)

    threading.Thread.start = remember
    try:
        job = jobs.export_request(
            user=world.admin,
            programme_id=world.programme.pk,
            kind="attendance_summary",
            fmt="csv",
        )
    finally:
        threading.Thread.start = original
    assert [thread.name for thread in started] == [f"export-{job.pk}"]
    started[0].join(timeout=30)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and bytes(job.content).startswith(b"date,")
