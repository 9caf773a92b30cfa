"""The pages of monitoring periods, generated reports and export jobs: who opens which (role
cells), what they show, and list views whose query count does not grow with their rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.models import Attendance
from reporting import jobs, runs
from reporting.models_runs import ExportJob, JobStatus, ReportRun
from reporting.periods import current_period, periods_of

from ..conftest import new_client
from ..journey import approve_plan, complete_intake

TODAY = timezone.localdate()
ROLES = [
    ("admin", 200),
    ("supervisor", 200),
    ("other_supervisor", 200),
    ("worker", 404),
    ("mentor", 404),
]


def _generate(world, user=None):
    return runs.report_generate(
        user=user or world.admin,
        programme_id=world.programme.pk,
        period_number=current_period(world.programme).number,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", ROLES)
@pytest.mark.parametrize("name", ["periods", "run_list", "export_list"])
def test_programme_pages_open_for_programme_admins_and_supervisors_only(
    world, client, who, status, name
):
    client.force_login(getattr(world, who))
    assert client.get(reverse(f"reporting:{name}", args=[world.programme.pk])).status_code == status


@pytest.mark.django_db
def test_the_periods_page_lists_the_half_years_and_generates_a_report(world, client):
    client.force_login(world.admin)
    url = reverse("reporting:periods", args=[world.programme.pk])
    page = client.get(url).content.decode()
    assert "01/01/2025" in page  # the first period starts with the programme
    assert page.count('name="period"') == sum(
        1 for p in periods_of(world.programme) if p.state(TODAY) != "future"
    )
    number = current_period(world.programme).number
    response = client.post(url, {"period": number, "records_at": ""})
    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:run_detail", args=[run.pk])
    assert run.generated_by == world.admin and run.period_number == number


@pytest.mark.django_db
def test_a_moment_in_the_future_is_refused_on_the_page_and_nothing_is_generated(world, client):
    client.force_login(world.admin)
    later = timezone.localtime() + datetime.timedelta(days=2)
    response = client.post(
        reverse("reporting:periods", args=[world.programme.pk]),
        {
            "period": current_period(world.programme).number,
            "records_at": later.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400
    assert "Choose a moment in the past." in response.content.decode()
    assert not ReportRun.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, status",
    [
        ("admin", 200),
        ("supervisor", 404),
        ("other_supervisor", 404),
        ("worker", 404),
        ("mentor", 404),
    ],
)
def test_a_consortium_report_is_the_programme_admins(world, client, who, status):
    run = _generate(world)
    client.force_login(getattr(world, who))
    assert client.get(reverse("reporting:run_detail", args=[run.pk])).status_code == status
    assert client.get(reverse("reporting:run_export", args=[run.pk, "csv"])).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, status",
    [
        ("admin", 200),
        ("supervisor", 200),
        ("other_supervisor", 404),
        ("worker", 404),
        ("mentor", 404),
    ],
)
def test_a_supervisors_report_is_theirs_and_the_programme_admins(world, client, who, status):
    run = _generate(world, user=world.supervisor)
    client.force_login(getattr(world, who))
    assert client.get(reverse("reporting:run_detail", args=[run.pk])).status_code == status


@pytest.mark.django_db
def test_the_report_page_shows_a_later_correction_as_a_difference(world, client):
    person = new_client(world)
    case = services.case_open(
        user=world.worker, client_id=person.pk, programme_id=world.programme.pk
    )
    complete_intake(case, world)
    approve_plan(case, world)
    session = services.session_record(
        user=world.mentor,
        kind="counselling",
        format="individual",
        topic="C",
        held_on=TODAY,
        duration_minutes=120,
        attendance={case.pk: True},
    )
    run = _generate(world)
    client.force_login(world.admin)
    url = reverse("reporting:run_detail", args=[run.pk])
    page = client.get(url).content.decode()
    assert "Every figure is the same as the records give now." in page
    services.attendance_set(
        user=world.mentor, attendance_id=Attendance.objects.get(session=session).pk, present=False
    )
    page = client.get(url).content.decode()
    assert "3 figures differ from the records now." in page
    assert page.count('class="differs"') == 3
    assert "(-2)" in page
    checked = client.get(url + "?against=history").content.decode()
    assert "Every figure is the same as the records give now." in checked
    response = client.post(url)
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.submitted_by == world.admin
    assert "Record as submitted to the funder" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_reports_indicator_table_is_the_frozen_one(world, client):
    from ..conftest import new_client as register

    run = _generate(world)
    register(world)  # a later record changes nothing in the stored report
    client.force_login(world.admin)
    response = client.get(reverse("reporting:run_export", args=[run.pk, "csv"]))
    body = response.content.decode()
    assert response["Content-Disposition"].endswith(f'-report-{run.period_number}-{run.pk}.csv"')
    assert body.splitlines()[0].startswith("indicator code,indicator,")
    assert len(body.splitlines()) == 1 + run.figures.count()
    assert client.get(reverse("reporting:run_export", args=[run.pk, "pdf"])).status_code == 404


@pytest.mark.django_db
def test_the_report_list_costs_the_same_queries_for_one_report_or_many(
    world, client, django_assert_num_queries
):
    client.force_login(world.admin)
    _generate(world)
    url = reverse("reporting:run_list", args=[world.programme.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _n in range(4):
        _generate(world)
    runs.report_submit(user=world.admin, run_id=ReportRun.objects.first().pk)
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('href="/reporting/report/') == 5


@pytest.mark.django_db
def test_the_periods_page_costs_the_same_queries_with_more_reports(
    world, client, django_assert_num_queries
):
    client.force_login(world.admin)
    url = reverse("reporting:periods", args=[world.programme.pk])
    _generate(world)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _n in range(3):
        _generate(world)
    with django_assert_num_queries(len(one.captured_queries)):
        assert "4 reports" in client.get(url).content.decode()


@pytest.fixture
def inline(settings):
    settings.REPORTING_EXPORT_RUNNER = "inline"


@pytest.mark.django_db
def test_asking_for_an_export_leads_to_its_progress_page_and_its_file(
    world, client, inline, django_capture_on_commit_callbacks
):
    client.force_login(world.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reporting:export_list", args=[world.programme.pk]),
            {"kind": "attendance_summary", "format": "xlsx", "as_of": TODAY.isoformat()},
        )
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("reporting:export_detail", args=[job.pk])
    assert job.organisation == world.org  # a supervisor's export is their organisation's
    page = client.get(response["Location"]).content.decode()
    assert "export_progress.js" in page and 'value="100"' in page
    state = client.get(reverse("reporting:export_status", args=[job.pk])).json()
    assert state["status"] == JobStatus.DONE and state["percent"] == 100
    download = client.get(state["download"])
    assert download.status_code == 200
    assert download.content[:2] == b"PK"  # a zip: XLSX


@pytest.mark.django_db
def test_an_export_is_only_its_requesters(world, client, settings):
    settings.REPORTING_EXPORT_RUNNER = "worker"
    job = jobs.export_request(
        user=world.admin, programme_id=world.programme.pk, kind="indicator_table", fmt="csv"
    )
    jobs.run(job.pk)
    for who in ("supervisor", "other_supervisor", "worker"):
        client.force_login(getattr(world, who))
        for name in ("export_detail", "export_status", "export_download"):
            assert client.get(reverse(f"reporting:{name}", args=[job.pk])).status_code == 404
    client.force_login(world.admin)
    assert client.get(reverse("reporting:export_download", args=[job.pk])).status_code == 200


@pytest.mark.django_db
def test_a_file_not_ready_yet_is_not_served_and_its_status_says_so(world, client, settings):
    settings.REPORTING_EXPORT_RUNNER = "worker"
    job = jobs.export_request(
        user=world.admin, programme_id=world.programme.pk, kind="indicator_table", fmt="csv"
    )
    client.force_login(world.admin)
    assert client.get(reverse("reporting:export_download", args=[job.pk])).status_code == 404
    state = client.get(reverse("reporting:export_status", args=[job.pk])).json()
    assert (state["status"], state["percent"], state["download"]) == ("queued", 0, None)


@pytest.mark.django_db
def test_the_export_list_costs_the_same_queries_for_one_job_or_many(
    world, client, settings, django_assert_num_queries
):
    settings.REPORTING_EXPORT_RUNNER = "worker"

    def ask():
        jobs.export_request(
            user=world.admin, programme_id=world.programme.pk, kind="indicator_table", fmt="csv"
        )

    ask()
    client.force_login(world.admin)
    url = reverse("reporting:export_list", args=[world.programme.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _n in range(5):
        ask()
    jobs.run_pending()
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("download</a>") == 6


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, words",
    [
        ("hu", ["Beszámolási időszakok", "A jelentés elkészítése"]),
        ("sk", ["Monitorovacie obdobia", "Vytvoriť správu"]),
    ],
)
def test_the_periods_page_speaks_hungarian_and_slovak(world, client, language, words):
    world.admin.staff_profile.language = language
    world.admin.staff_profile.save()
    client.force_login(world.admin)
    page = client.get(
        reverse("reporting:periods", args=[world.programme.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    for word in words:
        assert word in page
