"""A generated report keeps its parameters and its figures frozen: a correction made after it
was generated changes today's figures, shows up as a difference, and never changes the stored
ones; the history tables rebuild the figures as the records stood at the generation."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from casework import services
from casework.models import Attendance
from kernel.errors import InvalidInput, NotFound
from reporting import runs
from reporting.models import ReportFigure, ReportRun
from reporting.periods import current_period, periods_of
from reporting.services import target_set

from ..conftest import new_client
from ..journey import approve_plan, complete_intake

TODAY = timezone.localdate()


def _participant(world, *, agreed_on=TODAY, worker=None, mentor=None, **client):
    person = (
        new_client(world, **client)
        if worker is None
        else services.client_register(
            user=worker,
            data={
                "family_name": "Másik",
                "given_name": "Béla",
                "birth_year": 1980,
                "gender": "male",
                "settlement": client.get("settlement", "Miskolc"),
                "labour_market_status": "long_term_unemployed",
                "education_level": "isced_2",
                "household": "single_adult_with_children",
                "target_groups": ["long_term_unemployed"],
            },
        )
    )
    # Opened (on paper) on the programme's first day: no date in this test predates it.
    case = services.case_open(
        user=worker or world.worker,
        client_id=person.pk,
        programme_id=world.programme.pk,
        opened_on=world.programme.starts_on,
    )
    if worker is None:
        complete_intake(case, world)
    else:
        services.case_record_consent(user=worker, case_id=case.pk, given_on=TODAY)
        services.case_assign_mentor(user=worker, case_id=case.pk, mentor_id=mentor.pk)
        services.case_advance(user=worker, case_id=case.pk, from_stage="intake")
    services.plan_save(
        user=mentor or world.mentor, case_id=case.pk, summary="Goals", client_agreed_on=agreed_on
    )
    return case


def _current(world):
    return current_period(world.programme).number


def _figure(run, code, level="total", **where):
    return run.figures.get(indicator=code, level=level, **where).value


@pytest.mark.django_db
def test_a_generated_report_keeps_its_parameters_and_figures_per_partner_and_location(world):
    target_set(
        user=world.admin,
        programme_id=world.programme.pk,
        indicator="participants",
        value=10,
        deadline=world.programme.ends_on,
    )
    _participant(world, settlement="Ózd")
    _participant(world, settlement="Putnok")
    with_history = ReportRun.history.count()
    run = runs.report_generate(
        user=world.admin, programme_id=world.programme.pk, period_number=_current(world)
    )
    period = current_period(world.programme)
    assert (run.period_starts_on, run.period_ends_on, run.as_of) == (
        period.starts_on,
        period.ends_on,
        TODAY,
    )
    assert run.organisation is None and run.generated_by == world.admin
    assert run.records_at == run.generated_at and not run.from_history
    assert _figure(run, "participants") == 2
    assert run.figures.get(indicator="participants", level="total").target_value == 10
    assert _figure(run, "participants", "organisation", organisation_id_then=world.org.pk) == 2
    assert _figure(run, "participants", "location", location="Putnok") == 1
    row = ReportRun.history.latest("history_id")
    assert ReportRun.history.count() == with_history + 1
    assert (row.history_user, row.history_change_reason) == (world.admin, "report.generate")


@pytest.mark.django_db
def test_a_closed_period_counts_records_dated_up_to_its_last_day(world):
    closed = [p for p in periods_of(world.programme) if p.state(TODAY) == "closed"][-1]
    _participant(world, agreed_on=closed.ends_on)
    _participant(world, agreed_on=closed.ends_on + datetime.timedelta(days=1))
    run = runs.report_generate(
        user=world.admin, programme_id=world.programme.pk, period_number=closed.number
    )
    assert run.as_of == closed.ends_on
    assert _figure(run, "participants") == 1


@pytest.mark.django_db
def test_a_supervisor_reports_on_their_organisation_only(world):
    _participant(world)
    _participant(world, worker=world.other_worker, mentor=world.other_mentor)
    run = runs.report_generate(
        user=world.other_supervisor, programme_id=world.programme.pk, period_number=_current(world)
    )
    assert run.organisation == world.other_org
    assert _figure(run, "participants") == 1
    assert set(
        run.figures.filter(level="organisation").values_list("organisation_name", flat=True)
    ) == {world.other_org.name}
    assert list(runs.runs_visible_to(world.supervisor)) == []
    assert list(runs.runs_visible_to(world.admin)) == [run]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["worker", "mentor", "other_worker"])
def test_staff_who_do_not_report_cannot_generate_a_report(world, who):
    with pytest.raises(NotFound):
        runs.report_generate(
            user=getattr(world, who), programme_id=world.programme.pk, period_number=1
        )
    assert not ReportRun.objects.exists()


@pytest.mark.django_db
def test_a_future_or_unknown_period_is_refused_and_nothing_is_written(world):
    future = next(p for p in periods_of(world.programme) if p.state(TODAY) == "future")
    for number in (future.number, 99):
        with pytest.raises(InvalidInput):
            runs.report_generate(
                user=world.admin, programme_id=world.programme.pk, period_number=number
            )
    assert not ReportRun.objects.exists() and not ReportFigure.objects.exists()


@pytest.mark.django_db
def test_a_correction_after_submission_shows_as_a_difference_and_the_report_stays(world):
    case = _participant(world)
    approve_plan(case, world)
    session = services.session_record(
        user=world.mentor,
        kind="training",
        format="individual",
        topic="T",
        held_on=TODAY,
        duration_minutes=90,
        attendance={case.pk: True},
    )
    run = runs.report_generate(
        user=world.admin, programme_id=world.programme.pk, period_number=_current(world)
    )
    runs.report_submit(user=world.admin, run_id=run.pk)
    services.attendance_set(
        user=world.mentor,
        attendance_id=Attendance.objects.get(session=session).pk,
        present=False,
    )
    lines = runs.compare(run)
    changed = [line for line in lines if line.differs]
    assert {(line.figure.indicator, line.figure.level) for line in changed} == {
        ("training_hours", "total"),
        ("training_hours", "organisation"),
        ("training_hours", "location"),
    }
    total = next(line for line in changed if line.figure.level == "total")
    assert (total.frozen.value, total.again.value, total.change) == (
        Decimal("1.5"),
        Decimal("0.0"),
        Decimal("-1.5"),
    )
    # The stored report did not move, and the history rebuilds it as it was generated.
    assert _figure(run, "training_hours") == Decimal("1.5")
    assert not [line for line in runs.compare(run, at=run.records_at) if line.differs]


@pytest.mark.django_db
def test_a_report_is_rebuilt_from_the_history_as_the_records_stood_at_a_past_moment(world):
    case = _participant(world, settlement="Ózd")
    before_correction = timezone.now()
    services.plan_save(
        user=world.mentor,
        case_id=case.pk,
        summary="Goals",
        client_agreed_on=None,
    )
    assert (
        runs.report_generate(
            user=world.admin, programme_id=world.programme.pk, period_number=_current(world)
        )
        .figures.get(indicator="participants", level="total")
        .value
        == 0
    )
    rebuilt = runs.report_generate(
        user=world.admin,
        programme_id=world.programme.pk,
        period_number=_current(world),
        records_at=before_correction,
    )
    assert rebuilt.from_history and rebuilt.records_at == before_correction
    assert _figure(rebuilt, "participants") == 1
    assert _figure(rebuilt, "participants", "location", location="Ózd") == 1
    assert rebuilt.omitted == sorted(
        code for code in runs.INDICATORS if not runs.asof.supports(code)
    )


@pytest.mark.django_db
def test_a_moment_before_the_period_began_or_in_the_future_is_refused(world):
    period = current_period(world.programme)
    with pytest.raises(InvalidInput):
        runs.report_generate(
            user=world.admin,
            programme_id=world.programme.pk,
            period_number=period.number,
            records_at=timezone.now() + datetime.timedelta(hours=1),
        )
    with pytest.raises(InvalidInput):
        runs.report_generate(
            user=world.admin,
            programme_id=world.programme.pk,
            period_number=period.number,
            records_at=timezone.make_aware(
                datetime.datetime.combine(period.starts_on, datetime.time())
            )
            - datetime.timedelta(days=1),
        )


@pytest.mark.django_db
def test_a_report_is_submitted_once_and_a_supervisor_cannot_submit_the_consortiums(world):
    run = runs.report_generate(
        user=world.admin, programme_id=world.programme.pk, period_number=_current(world)
    )
    own = runs.report_generate(
        user=world.supervisor, programme_id=world.programme.pk, period_number=_current(world)
    )
    with pytest.raises(NotFound):
        runs.report_submit(user=world.supervisor, run_id=run.pk)
    runs.report_submit(user=world.supervisor, run_id=own.pk)
    runs.report_submit(user=world.admin, run_id=run.pk)
    run.refresh_from_db()
    assert run.submitted_by == world.admin and run.submitted_at is not None
    row = ReportRun.history.filter(id=run.pk).latest("history_id")
    assert (row.history_user, row.history_change_reason) == (world.admin, "report.submit")
    with pytest.raises(InvalidInput):
        runs.report_submit(user=world.admin, run_id=run.pk)


def test_the_code_version_is_read_once_and_fits_its_column():
    assert len(runs.code_version()) <= 64


@pytest.mark.django_db
def test_a_place_with_a_target_and_nothing_counted_yet_is_frozen_as_zero(world):
    for organisation_id, settlement in [(world.other_org.pk, ""), (None, "Sajó")]:
        target_set(
            user=world.admin,
            programme_id=world.programme.pk,
            indicator="forums",
            value=3,
            deadline=world.programme.ends_on,
            organisation_id=organisation_id,
            settlement=settlement,
        )
    run = runs.report_generate(
        user=world.admin, programme_id=world.programme.pk, period_number=_current(world)
    )
    partner = run.figures.get(indicator="forums", level="organisation")
    place = run.figures.get(indicator="forums", level="location")
    assert (partner.organisation_name, partner.value, partner.target_value) == (
        world.other_org.name,
        0,
        3,
    )
    assert (place.location, place.value, place.target_value) == ("Sajó", 0, 3)


@pytest.mark.django_db
def test_generating_a_report_costs_the_same_queries_for_one_participant_or_many(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _participant(world, settlement="Ózd")
    _generate = lambda: runs.report_generate(  # noqa: E731
        user=world.admin, programme_id=world.programme.pk, period_number=_current(world)
    )
    _generate()
    with CaptureQueriesContext(connection) as one:
        _generate()
    for settlement in ("Putnok", "Miskolc", "Ózd"):
        _participant(world, settlement=settlement)
    with CaptureQueriesContext(connection) as many:
        run = _generate()
    assert len(many.captured_queries) == len(one.captured_queries)
    assert _figure(run, "participants") == 4
