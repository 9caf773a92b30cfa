"""P5: the full indicator report of one programme (BENCHMARKS.md).

The generated datasets spread their organisations over three programmes; P5 wants one programme
at full size, so it folds every case of a dataset's organisations into the dataset's first
programme (and makes every organisation a member of it), gives the programme community events
with attendance sheets (one forum or workshop per 100 cases, 20 lines each, a quarter of them
clients) and the targets the demo commits to. This writes straight into the tables, without
history, like ``bench.dataset``: the data is throwaway, and P5 runs after P1 and P4, which
advance the generated cases through the services.

Then it measures ``reporting.selectors.indicator_report`` (every indicator of the registry:
total, per partner and location, the month-by-month series; what the dashboard and the export
read) as the programme admin sees it, and ``reporting.runs.compute`` (what generating a frozen
report costs): p50/p95 over repeated calls, the query count (which must not grow with the data)
and, on PostgreSQL, the plans of the slowest queries with any sequential scan of a large table.
"""

from __future__ import annotations

import datetime
import random
import re
import time

from django.db import connection, transaction
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.models import Case, ConsortiumMembership, Organisation, Programme, StaffProfile
from community.models import CommunityEvent, EventAttendee, EventKind
from reporting import runs as report_runs
from reporting import statements
from reporting.indicators import Scope
from reporting.models import Target
from reporting.selectors import indicator_report

from .dataset import SETTLEMENTS_HU
from .pages import _plans
from .stats import summary, timed_queries

CASES_PER_EVENT = 100
LINES_PER_EVENT = 20
# Reports timed from no compiled statement, as the first of a scope on a day is.
FIRST_REPORTS = 3


def prepare(dataset: dict, log) -> int:
    """Fold the dataset's cases into one programme and give it events; its id."""
    organisations = list(dataset["organisations"])
    programme_id = (
        ConsortiumMembership.objects.filter(organisation_id=organisations[0])
        .order_by("programme_id")
        .values_list("programme_id", flat=True)
        .first()
    )
    programme = Programme.objects.get(pk=programme_id)
    rng = random.Random(5)
    with transaction.atomic():
        members = set(
            ConsortiumMembership.objects.filter(programme=programme).values_list(
                "organisation_id", flat=True
            )
        )
        ConsortiumMembership.objects.bulk_create(
            ConsortiumMembership(programme=programme, organisation_id=org, role="member")
            for org in organisations
            if org not in members
        )
        Case.objects.filter(organisation_id__in=organisations).update(programme=programme)
        counts = dict(
            Case.objects.filter(organisation_id__in=organisations)
            .values_list("organisation_id")
            .annotate(n=Count("id"))
        )
        organisers = dict(
            StaffProfile.objects.filter(organisation_id__in=organisations)
            .order_by("organisation_id", "pk")
            .values_list("organisation_id", "user_id")
        )
        span = max((timezone.localdate() - programme.starts_on).days, 1)
        events = []
        for org in organisations:
            for n in range(max(1, counts.get(org, 0) // CASES_PER_EVENT)):
                events.append(
                    CommunityEvent(
                        programme=programme,
                        organisation_id=org,
                        kind=EventKind.FORUM if n % 3 == 0 else EventKind.WORKSHOP,
                        title=f"P5 {n}",
                        settlement=SETTLEMENTS_HU[rng.randrange(len(SETTLEMENTS_HU))],
                        held_on=programme.starts_on + datetime.timedelta(days=rng.randrange(span)),
                        organiser_id=organisers[org],
                    )
                )
        events = CommunityEvent.objects.bulk_create(events, batch_size=2000)
        clients: dict[int, list[int]] = {}
        for org in organisations:
            clients[org] = list(
                Case.objects.filter(organisation_id=org)
                .order_by("pk")
                .values_list("client_id", flat=True)[: LINES_PER_EVENT * 5]
            )
        lines = []
        for event in events:
            people = rng.sample(clients[event.organisation_id], LINES_PER_EVENT // 4)
            lines += [EventAttendee(event=event, client_id=client) for client in people]
            lines += [
                EventAttendee(event=event, guest_name=f"Guest {n}", guest_settlement="Ózd")
                for n in range(LINES_PER_EVENT - len(people))
            ]
        EventAttendee.objects.bulk_create(lines, batch_size=5000)
        for code, value in (("participants", 50_000), ("forums", 18), ("events", 400)):
            Target.objects.update_or_create(
                programme=programme,
                indicator=code,
                organisation=None,
                settlement="",
                defaults={"value": value, "deadline": programme.ends_on},
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("casework_case", "community_communityevent", "community_eventattendee"):
                cursor.execute(f"ANALYZE {table}")
    log(f"  P5 programme {programme.funder_code}: {len(events):,} events, {len(lines):,} lines")
    return programme_id


def _seq_scans(plan: str, *, min_rows: int = 5000) -> list[str]:
    """Sequential scans of tables with many rows in an EXPLAIN ANALYZE text."""
    found = []
    for line in plan.splitlines():
        match = re.search(r"Seq Scan on (\w+).*actual time=[\d.]+\.\.[\d.]+ rows=(\d+)", line)
        if match and int(match.group(2)) >= min_rows:
            found.append(f"{match.group(1)} ({int(match.group(2)):,} rows)")
    return found


def measure(programme_id: int, *, repeats: int, explain: bool) -> dict:
    programme = Programme.objects.get(pk=programme_id)
    scope = Scope(programme=programme, as_of=timezone.localdate())
    participants = (
        Case.objects.filter(programme=programme, plan__client_agreed_on__lte=scope.as_of)
        .values("client")
        .distinct()
        .count()
    )
    indicator_report(scope=scope)  # warm the plan cache and the buffers
    with CaptureQueriesContext(connection) as captured:
        indicator_report(scope=scope)
    queries = len(captured.captured_queries)
    with CaptureQueriesContext(connection) as captured_compute:
        report_runs.compute(scope)
    result = {
        "programme": programme.funder_code,
        "cases": Case.objects.filter(programme=programme).count(),
        "participants": participants,
        "events": CommunityEvent.objects.filter(programme=programme).count(),
        "attendees": EventAttendee.objects.filter(event__programme=programme).count(),
        "organisations": Organisation.objects.filter(Q(programmes=programme)).count(),
        "queries": queries,
        "compute_queries": len(captured_compute.captured_queries),
    }
    timings, db, compute = [], [], []
    for _ in range(repeats):
        with timed_queries() as timer:
            started = time.perf_counter()
            indicator_report(scope=scope)
            timings.append(time.perf_counter() - started)
        db.append(timer.seconds)
        started = time.perf_counter()
        report_runs.compute(scope)
        compute.append(time.perf_counter() - started)
    # The first report of a scope on a day compiles its passes' SQL, which later ones reuse
    # (``reporting.statements``): timed apart, with no statement kept.
    first = []
    for _ in range(FIRST_REPORTS):
        statements.forget()
        started = time.perf_counter()
        indicator_report(scope=scope)
        first.append(time.perf_counter() - started)
    result["report"] = summary(timings)
    result["first"] = summary(first)
    result["db"] = summary(db)
    result["compute"] = summary(compute)
    if explain and connection.vendor == "postgresql":
        recorded = []

        def record(execute, sql, params, many, context):
            recorded.append((0.0, sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            indicator_report(scope=scope)
        plans = _plans(recorded)
        result["db_server_ms"] = sum(plan["total_ms"] for plan in plans)
        result["slowest"] = [
            {"sql": plan["sql"][:400], "total_ms": plan["total_ms"], "plan": plan["plan"]}
            for plan in plans[:3]
        ]
        result["seq_scans"] = sorted({scan for plan in plans for scan in _seq_scans(plan["plan"])})
    return result


def run(*, small: dict, large: dict, repeats: int, explain: bool, log) -> dict:
    """P5 on the small and the large dataset: the same query count is the guard."""
    result = {}
    for size, dataset in (("small", small), ("large", large)):
        log(f"[{connection.vendor}] P5: indicator report of the {size} dataset's programme")
        programme_id = prepare(dataset, log)
        result[size] = measure(programme_id, repeats=repeats, explain=explain and size == "large")
    result["same_queries"] = result["small"]["queries"] == result["large"]["queries"]
    return result
