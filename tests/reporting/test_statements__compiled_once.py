"""A report pass's SQL is compiled once per process and scope (``reporting.statements``): a
second report of the same scope compiles nothing and still reads the records as they are now,
and a report of another day, programme, partner or indicator gets a statement of its own.
(``tests/conftest.py`` starts every test with no statement compiled.)"""

import dataclasses
import datetime

import pytest
from django.db import connection
from django.db.models import Q
from django.db.models.sql.compiler import SQLCompiler
from django.test import override_settings
from django.utils import timezone

from casework import services
from casework.models import Case, Programme
from reporting import passes, statements
from reporting.indicators import INDICATORS, Scope
from reporting.routers import REPLICA, reading_reports
from reporting.selectors import month_ends
from reporting.statements import Statement

from ..esf import other_organisation_participant
from ..factories import ProgrammeFactory
from .figures import by_own_queries

TODAY = timezone.localdate()
PAST = TODAY - datetime.timedelta(days=50)


@pytest.fixture
def compilations(monkeypatch):
    """How many queries the ORM has compiled to SQL since the fixture was asked for."""
    count = [0]
    compile_query = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        count[0] += 1
        return compile_query(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return count


def every_indicator(scope: Scope) -> list:
    days = month_ends(scope.programme.starts_on, scope.as_of)
    return [(indicator, [] if indicator.group else days) for indicator in INDICATORS.values()]


def scope_of(world, as_of=TODAY, organisation_ids=None, programme=None) -> Scope:
    programme = programme or Programme.objects.get(pk=world.programme.pk)
    return Scope(programme=programme, as_of=as_of, organisation_ids=organisation_ids)


def as_asked_one_by_one(found: dict, scope: Scope) -> None:
    """Every indicator's figures in ``found`` are those its own queries give, of the same types
    (an integer count stays an integer, hours stay decimals)."""
    for code, indicator in INDICATORS.items():
        days = [] if indicator.group else month_ends(scope.programme.starts_on, scope.as_of)
        expected = by_own_queries(indicator, scope, days)
        assert found[code] == expected, code
        total, places, series = found[code]
        assert type(total) is type(expected[0]), code
        assert [type(value) for value in places.values()] == [
            type(value) for value in expected[1].values()
        ], code
        assert [type(value) for value in series] == [type(value) for value in expected[2]], code


@pytest.mark.django_db
def test_a_second_report_of_a_scope_compiles_nothing_and_counts_the_records_added_since(
    world, records, compilations
):
    scope = scope_of(world)
    wanted = every_indicator(scope)
    first = passes.figures_of(wanted, scope)
    assert compilations[0] > 0
    kept = statements.size()
    case = Case.objects.filter(programme=world.programme).order_by("pk").first()
    services.session_record(
        user=world.mentor,
        kind="counselling",
        format="individual",
        topic="After the first report",
        held_on=TODAY,
        duration_minutes=90,
        attendance={case.pk: True},
    )

    compiled = compilations[0]
    second = passes.figures_of(wanted, scope)

    assert compilations[0] == compiled
    assert statements.size() == kept
    hours = INDICATORS["counselling_hours"]
    assert second["counselling_hours"][0] == first["counselling_hours"][0] + hours.measure.convert(
        90
    )
    as_asked_one_by_one(second, scope)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "other", ["an earlier month", "the day before", "one partner", "another programme"]
)
def test_a_report_of_another_scope_is_compiled_for_that_scope(world, records, other):
    passes.figures_of(every_indicator(scope_of(world)), scope_of(world))
    kept = statements.size()
    scope = {
        "an earlier month": scope_of(world, as_of=PAST),
        # The records include sessions held today: the day before counts fewer hours.
        "the day before": scope_of(world, as_of=TODAY - datetime.timedelta(days=1)),
        "one partner": scope_of(world, organisation_ids=frozenset({world.org.pk})),
        "another programme": scope_of(world, programme=ProgrammeFactory()),
    }[other]

    found = passes.figures_of(every_indicator(scope), scope)

    assert statements.size() > kept
    as_asked_one_by_one(found, scope)


@pytest.mark.django_db
def test_each_partner_of_a_consortium_gets_its_own_figures_from_a_warm_cache(world, records):
    other_organisation_participant(world, entry_on=PAST, today=TODAY)
    own = scope_of(world, organisation_ids=frozenset({world.org.pk}))
    other = scope_of(world, organisation_ids=frozenset({world.other_org.pk}))
    for scope in (own, other, own, other):
        found = passes.figures_of(every_indicator(scope), scope)
        as_asked_one_by_one(found, scope)
    assert passes.figures(INDICATORS["participants"], own)[0] == 2
    assert passes.figures(INDICATORS["participants"], other)[0] == 1


@pytest.mark.django_db
def test_an_indicator_of_its_own_under_a_registry_code_is_not_given_the_registrys_statement(
    world, records
):
    scope = scope_of(world)
    registry = INDICATORS["participants"]
    passes.figures(registry, scope)
    # The same code, counting only the participants of one settlement.
    own = dataclasses.replace(
        registry,
        measure=dataclasses.replace(registry.measure, where=Q(client__settlement="Ózd")),
    )

    found = passes.figures(own, scope)

    assert found == by_own_queries(own, scope, [])
    assert found[0] == 1 and passes.figures(registry, scope)[0] == 2


@pytest.mark.django_db
def test_a_scope_of_no_partner_asks_the_database_nothing(world, records, django_assert_num_queries):
    scope = scope_of(world, organisation_ids=frozenset())
    for _time in ("first", "second"):
        with django_assert_num_queries(0):
            found = passes.figures_of(every_indicator(scope), scope)
        assert all(total == 0 and places == {} for total, places, _series in found.values())


def built(vendor: str = "") -> tuple[list, object]:
    """A ``build`` for ``statements.compiled`` that notes each call."""
    calls = []

    def build() -> Statement:
        calls.append(1)
        return Statement(Case, vendor or connection.vendor, "SELECT 1", ())

    return calls, build


def test_the_compiled_statements_are_bounded_the_least_recently_used_out_first(monkeypatch):
    monkeypatch.setattr(statements, "CAPACITY", 2)
    calls, build = built()
    statements.compiled("a", None, build)
    statements.compiled("b", None, build)
    statements.compiled("a", None, build)  # "a" is now the more recently used
    statements.compiled("c", None, build)  # so "b" goes
    assert len(calls) == 3 and statements.size() == 2

    statements.compiled("a", None, build)
    assert len(calls) == 3
    statements.compiled("b", None, build)
    assert len(calls) == 4


def test_a_statement_compiled_for_another_database_vendor_is_compiled_again():
    calls, build = built(vendor="oracle")
    statements.compiled("a", None, build)
    statements.compiled("a", None, build)
    assert len(calls) == 2


def test_a_compiled_statement_runs_where_its_reads_are_routed_when_it_runs(monkeypatch, settings):
    statement = Statement(Case, connection.vendor, "SELECT 1", ())
    monkeypatch.setitem(settings.DATABASES, REPLICA, {"ENGINE": "django.db.backends.postgresql"})
    with override_settings(DATABASE_ROUTERS=["reporting.routers.ReportReplicaRouter"]):
        assert statement.db == "default"  # a job's report reads the primary
        with reading_reports():
            assert statement.db == REPLICA  # a report page reads the replica
