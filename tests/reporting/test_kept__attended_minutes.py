"""The attended minutes PostgreSQL keeps per programme, partner, settlement, month and kind
(``reporting.kept``) follow every change of the lines, sessions, cases and clients they are
computed from, and the hours indicators read them for whole months."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import services
from casework.models import Attendance, Case, Client, Programme, Session
from reporting import kept, passes
from reporting.indicators import INDICATORS, Scope
from reporting.models import AttendedDayMinutes, AttendedMinutes
from reporting.selectors import month_ends

from ..esf import participant
from ..journey import approve_plan
from .figures import by_own_queries

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the figures are kept on PostgreSQL only"
    ),
]

TODAY = timezone.localdate()
LAST_MONTH = TODAY.replace(day=1) - datetime.timedelta(days=1)
# A day of this month that is not its last (reports up to it read the kept days of the month).
MID_MONTH = (
    TODAY if (TODAY + datetime.timedelta(days=1)).day != 1 else TODAY - datetime.timedelta(days=1)
)


def kept_minutes() -> dict[tuple, tuple[int, int]]:
    """``{(organisation id, place, month, kind): (minutes, lines)}`` as kept per month."""
    return {
        (row.organisation_id, row.place, row.month, row.kind): (row.minutes, row.lines)
        for row in AttendedMinutes.objects.all()
    }


def kept_day_minutes() -> dict[tuple, tuple[int, int]]:
    """``{(organisation id, place, day, kind): (minutes, lines)}`` as kept per day."""
    return {
        (row.organisation_id, row.place, row.day, row.kind): (row.minutes, row.lines)
        for row in AttendedDayMinutes.objects.all()
    }


def active_case(world, settlement: str) -> Case:
    """A participant living in ``settlement`` with an approved plan; the case opened on the
    programme's first day, so any session in these tests may be recorded for it."""
    case = participant(
        world,
        entry_on=world.programme.starts_on + datetime.timedelta(days=7),
        settlement=settlement,
    )
    approve_plan(case, world)
    return case


def record(world, cases, *, held_on=LAST_MONTH, kind="training", minutes=90, absent=()):
    return services.session_record(
        user=world.mentor,
        kind=kind,
        format="group",
        topic="T",
        held_on=held_on,
        duration_minutes=minutes,
        attendance={case.pk: case not in absent for case in cases},
    )


@pytest.fixture
def two_places(world):
    return active_case(world, "Ózd"), active_case(world, "Putnok")


def test_a_recorded_sheet_keeps_the_minutes_of_the_present_per_settlement(world, two_places):
    ozd, putnok = two_places
    record(world, [ozd, putnok], minutes=90)
    record(world, [ozd, putnok], minutes=60, kind="counselling", absent=[putnok])
    record(world, [ozd], minutes=30, kind="counselling", held_on=LAST_MONTH.replace(day=1))
    month = LAST_MONTH.replace(day=1)
    assert kept_minutes() == {
        (world.org.pk, "Ózd", month, "training"): (90, 1),
        (world.org.pk, "Putnok", month, "training"): (90, 1),
        (world.org.pk, "Ózd", month, "counselling"): (90, 2),
    }
    assert kept_day_minutes() == {
        (world.org.pk, "Ózd", LAST_MONTH, "training"): (90, 1),
        (world.org.pk, "Putnok", LAST_MONTH, "training"): (90, 1),
        (world.org.pk, "Ózd", LAST_MONTH, "counselling"): (60, 1),
        (world.org.pk, "Ózd", month, "counselling"): (30, 1),
    }
    assert AttendedMinutes.objects.get(place="Ózd", kind="training").programme_id == (
        world.programme.pk
    )
    assert kept.differences() == []


def test_a_line_corrected_to_absent_takes_its_minutes_away_and_back(world, two_places):
    ozd, putnok = two_places
    record(world, [ozd, putnok])
    line = Attendance.objects.get(case=putnok)
    services.attendance_set(user=world.mentor, attendance_id=line.pk, present=False)
    assert {key[1] for key in kept_minutes()} == {"Ózd"}  # Putnok's row went with its line
    services.attendance_set(user=world.mentor, attendance_id=line.pk, present=True)
    assert kept_minutes()[(world.org.pk, "Putnok", LAST_MONTH.replace(day=1), "training")] == (
        90,
        1,
    )
    assert kept.differences() == []


def test_a_client_who_moves_takes_their_minutes_to_the_new_settlement(world, two_places):
    ozd, putnok = two_places
    record(world, [ozd, putnok])
    record(world, [ozd], held_on=TODAY, kind="counselling", minutes=30)
    services.client_update(
        user=world.worker, client_id=ozd.client_id, data={"settlement": "Putnok"}
    )
    assert kept_minutes() == {
        (world.org.pk, "Putnok", LAST_MONTH.replace(day=1), "training"): (180, 2),
        (world.org.pk, "Putnok", TODAY.replace(day=1), "counselling"): (30, 1),
    }
    assert kept.differences() == []


def test_a_corrected_session_moves_its_minutes_to_its_new_month_kind_and_length(world, two_places):
    ozd, putnok = two_places
    session = record(world, [ozd, putnok])
    # No service edits a session yet; a correction by hand (the admin, a data fix) is kept too.
    session = Session.objects.get(pk=session.pk)
    session.held_on, session.kind, session.duration_minutes = TODAY, "counselling", 45
    session.save()
    month = TODAY.replace(day=1)
    assert kept_minutes() == {
        (world.org.pk, "Ózd", month, "counselling"): (45, 1),
        (world.org.pk, "Putnok", month, "counselling"): (45, 1),
    }
    assert set(kept_day_minutes()) == {
        (world.org.pk, "Ózd", TODAY, "counselling"),
        (world.org.pk, "Putnok", TODAY, "counselling"),
    }
    assert kept.differences() == []


def test_a_case_moved_to_another_partner_takes_its_minutes_there(world, two_places):
    ozd, putnok = two_places
    record(world, [ozd, putnok])
    Case.objects.filter(pk=putnok.pk).update(organisation=world.other_org)
    assert {(key[0], key[1]) for key in kept_minutes()} == {
        (world.org.pk, "Ózd"),
        (world.other_org.pk, "Putnok"),
    }
    assert kept.differences() == []


def test_one_statement_moving_many_cases_and_clients_moves_their_minutes(world, two_places):
    ozd, putnok = two_places
    record(world, [ozd, putnok])
    record(world, [ozd, putnok], held_on=TODAY, kind="counselling")
    moved = Case.objects.filter(organisation=world.org).update(organisation=world.other_org)
    renamed = Client.objects.filter(settlement__in=["Ózd", "Putnok"]).update(settlement="Serényi")
    assert moved == 2 and renamed == 2
    assert {(key[0], key[1]) for key in kept_minutes()} == {(world.other_org.pk, "Serényi")}
    assert kept.differences() == []


def test_deleted_lines_and_sessions_leave_no_minutes_behind(world, two_places):
    ozd, putnok = two_places
    kept_session = record(world, [ozd, putnok])
    record(world, [ozd, putnok], held_on=TODAY)
    Attendance.objects.filter(case=putnok, session=kept_session).delete()
    Session.objects.exclude(pk=kept_session.pk).delete()
    assert kept_minutes() == {(world.org.pk, "Ózd", LAST_MONTH.replace(day=1), "training"): (90, 1)}
    assert kept_day_minutes() == {(world.org.pk, "Ózd", LAST_MONTH, "training"): (90, 1)}
    assert kept.differences() == []


def test_a_rolled_back_sheet_leaves_the_kept_minutes_as_they_were(world, two_places):
    ozd, putnok = two_places
    record(world, [ozd])
    before = kept_minutes(), kept_day_minutes()
    with pytest.raises(RuntimeError), transaction.atomic():
        record(world, [ozd, putnok], minutes=120)
        assert (kept_minutes(), kept_day_minutes()) != before  # kept in the sheet's transaction...
        raise RuntimeError
    assert (kept_minutes(), kept_day_minutes()) == before  # ...and gone with it


def test_a_missing_trigger_is_put_back_and_the_figures_rebuilt_after_migrate(world, two_places):
    ozd, putnok = two_places
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER reporting_kept_client_update ON casework_client")
    Client.objects.filter(pk=putnok.client_id).update(settlement="Ózd")
    record(world, [ozd, putnok])
    Client.objects.filter(pk=putnok.client_id).update(settlement="Putnok")  # missed
    assert kept.differences() != []

    call_command("migrate", verbosity=0)

    assert kept.installed() == kept.expected()
    assert kept.differences() == []


def test_the_check_command_names_a_kept_figure_that_disagrees_and_rebuild_repairs_it(
    world, two_places, capsys
):
    ozd, putnok = two_places
    record(world, [ozd, putnok])
    AttendedMinutes.objects.filter(place="Putnok").update(minutes=1)
    with pytest.raises(SystemExit) as failed:
        call_command("kept_figures", "--check")
    assert failed.value.code == 1
    assert "Putnok" in capsys.readouterr().out

    call_command("kept_figures", "--rebuild")
    call_command("kept_figures", "--check")
    assert "agree" in capsys.readouterr().out
    assert kept.differences() == []


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "record",
                "toggle",
                "move_client",
                "move_case",
                "swap_client",
                "edit_session",
                "delete",
            ]
        ),
        st.integers(min_value=0, max_value=1000),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_the_kept_minutes_equal_the_lines_after_any_sequence_of_changes(
    world, two_places, operations
):
    """Whatever the records go through, the kept rows are what the lines give (the examples
    share one database, so each starts where the previous one left off)."""
    cases = list(two_places)
    places = ["Ózd", "Putnok", "Putnok", "Sajószentpéter"]
    days = [
        LAST_MONTH,
        LAST_MONTH.replace(day=1),
        TODAY,
        TODAY.replace(day=1) - datetime.timedelta(days=40),
    ]
    for operation, n in operations:
        sessions = list(Session.objects.order_by("pk"))
        lines = list(Attendance.objects.order_by("pk"))
        if operation == "record" or not lines:
            # Straight into the tables: the service's own rules (one partner, cases in scope)
            # are not what this test is about, and the moves below break them on purpose.
            session = Session.objects.create(
                organisation=world.org,
                kind=["training", "counselling"][n % 2],
                format="group",
                topic="T",
                held_on=days[n % 4],
                duration_minutes=15 * (1 + n % 8),
                facilitator=world.mentor,
            )
            Attendance.objects.bulk_create(
                Attendance(session=session, case=case, present=index != n % 3)
                for index, case in enumerate(cases)
            )
        elif operation == "toggle":
            line = lines[n % len(lines)]
            Attendance.objects.filter(pk=line.pk).update(present=not line.present)
        elif operation == "move_client":
            Client.objects.filter(pk=cases[n % 2].client_id).update(settlement=places[n % 4])
        elif operation == "move_case":
            organisation = [world.org, world.other_org][n % 2]
            Case.objects.filter(pk=cases[n % 2].pk).update(organisation=organisation)
        elif operation == "swap_client":
            # A case put on another client (a data fix): its lines go where that client lives.
            Case.objects.filter(pk=cases[n % 2].pk).update(client=cases[(n + 1) % 2].client_id)
        elif operation == "edit_session":
            Session.objects.filter(pk=sessions[n % len(sessions)].pk).update(
                held_on=days[n % 4],
                kind=["training", "counselling"][n % 3 % 2],
                duration_minutes=30 + n % 90,
            )
        else:
            Attendance.objects.filter(pk=lines[n % len(lines)].pk).delete()
        assert kept.differences() == [], operation
    assert not AttendedMinutes.objects.filter(lines=0).exists()
    assert not AttendedDayMinutes.objects.filter(lines=0).exists()


def test_the_hours_are_read_from_the_kept_minutes_not_from_the_lines(world, two_places):
    """Proved by changing kept rows: the report follows the row per month for last month and
    the row per day for this month's days."""
    ozd, putnok = two_places
    record(world, [ozd, putnok], minutes=60)
    record(world, [ozd], held_on=MID_MONTH, minutes=30)
    AttendedMinutes.objects.filter(place="Putnok").update(minutes=600)
    AttendedDayMinutes.objects.filter(place="Ózd", day=MID_MONTH).update(minutes=300)
    scope = Scope(programme=Programme.objects.get(pk=world.programme.pk), as_of=MID_MONTH)
    total, places, series = passes.figures(
        INDICATORS["training_hours"], scope, month_ends(LAST_MONTH, MID_MONTH)
    )
    assert places == {(world.org.pk, "Ózd"): 6, (world.org.pk, "Putnok"): 10}
    assert series == [11, 16] and total == 16


@pytest.mark.parametrize("organisations", [None, "own", "other"], ids=str)
def test_both_hours_in_one_pass_from_kept_rows_equal_their_own_queries_in_any_scope(
    world, two_places, organisations
):
    """The dashboard's path: both hours indicators in one pass (each its own condition on the
    kept rows), for the consortium or one partner, as of a day in the middle of a month."""
    ozd, putnok = two_places
    for days_back, minutes in [(0, 30), (9, 45), (40, 60)]:
        held_on = LAST_MONTH.replace(day=15) - datetime.timedelta(days=days_back)
        record(world, [ozd, putnok], held_on=held_on, minutes=minutes, absent=[putnok])
        record(world, [ozd], held_on=held_on, kind="counselling", minutes=minutes + 5)
    Case.objects.filter(pk=putnok.pk).update(organisation=world.other_org)
    ids = {None: None, "own": frozenset({world.org.pk}), "other": frozenset({world.other_org.pk})}
    scope = Scope(
        programme=Programme.objects.get(pk=world.programme.pk),
        as_of=LAST_MONTH.replace(day=12),
        organisation_ids=ids[organisations],
    )
    days = month_ends(LAST_MONTH - datetime.timedelta(days=80), scope.as_of)
    wanted = [(INDICATORS[code], days) for code in ("training_hours", "counselling_hours")]
    found = passes.figures_of(wanted, scope)
    for indicator, _days in wanted:
        expected = by_own_queries(indicator, scope, days)
        assert found[indicator.code] == expected, indicator.code


def test_a_truncated_sheet_table_leaves_no_kept_minutes(world, two_places):
    ozd, putnok = two_places
    record(world, [ozd, putnok])
    with connection.cursor() as cursor:
        # The test's transaction holds the sheet's deferred foreign-key checks, which a
        # TRUNCATE refuses to outrun.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE casework_attendance")
    assert kept_minutes() == {} and kept_day_minutes() == {}


def test_a_disabled_trigger_counts_as_missing(world):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE casework_client DISABLE TRIGGER reporting_kept_client_update")
    assert "reporting_kept_client_update" not in kept.installed()
    assert kept.ensure() is True
    assert kept.installed() == kept.expected()


@pytest.mark.parametrize("as_of", ["month_end", "mid_month"], ids=str)
def test_the_hours_from_kept_months_equal_the_hours_from_the_lines(world, two_places, as_of):
    ozd, putnok = two_places
    for days_back, minutes in [(0, 30), (20, 45), (50, 60), (80, 75)]:
        held_on = TODAY - datetime.timedelta(days=days_back)
        record(world, [ozd, putnok], held_on=held_on, minutes=minutes, absent=[putnok])
        record(world, [ozd, putnok], held_on=held_on, kind="counselling", minutes=minutes)
    # The 15th of last month: a day mid-month whatever the day the test runs.
    day = LAST_MONTH if as_of == "month_end" else LAST_MONTH.replace(day=15)
    scope = Scope(programme=Programme.objects.get(pk=world.programme.pk), as_of=day)
    days = month_ends(TODAY - datetime.timedelta(days=100), day)
    for code in ("training_hours", "counselling_hours"):
        indicator = INDICATORS[code]
        expected = by_own_queries(indicator, scope, days)
        assert passes.figures(indicator, scope, days) == expected, code
    assert AttendedMinutes.objects.aggregate(minutes=Sum("minutes"))["minutes"] > 0
    assert AttendedDayMinutes.objects.filter(day__gt=day).exists()  # later days: left out
