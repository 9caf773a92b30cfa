"""P2: the pages staff open all day, through the real URLs, views, middleware and templates
(Django's test client), at a given dataset size: query count, server time and database time per
request, and the plans of their slowest queries."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.journey import Stage
from casework.models import Case, Organisation
from casework.roles import Role

from .stats import spread, summary, timed_queries


@dataclass
class Page:
    key: str
    title: str
    user_id: int
    url: str


def _staff(organisation_id: int, role: str) -> int:
    return (
        get_user_model()
        .objects.filter(staff_profile__organisation_id=organisation_id, groups__name=role)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def _timeline_kinds(case) -> frozenset[str]:
    from audit import selectors

    return frozenset(
        selectors.case_links(case)
        .order_by("-history_date", "-id")
        .values_list("model", flat=True)[: selectors.PAGE_SIZE]
    )


def timeline_case(organisation_id: int, reference: frozenset | None):
    """A case of the organisation with a long journey whose first timeline page shows the same
    kinds of record as ``reference``: the same page shape at both sizes, so that only size
    differs (the query count no longer depends on the kinds, the rendering time does)."""
    candidates = list(
        Case.objects.filter(
            organisation_id=organisation_id, stage__in=[Stage.FOLLOW_UP, Stage.CLOSED]
        ).order_by("pk")[:60]
    ) or list(Case.objects.filter(organisation_id=organisation_id).order_by("pk")[:60])
    best, best_kinds = None, frozenset()
    for case in candidates:
        kinds = _timeline_kinds(case)
        if reference is not None and kinds == reference:
            return case, kinds
        if len(kinds) > len(best_kinds):
            best, best_kinds = case, kinds
    return best, best_kinds


def pages_for(organisation_id: int, *, timeline_reference: frozenset | None = None):
    """The pages of one organisation's staff. Returns the pages and the timeline's kinds."""
    mentor = _staff(organisation_id, Role.MENTOR)
    supervisor = _staff(organisation_id, Role.SUPERVISOR)
    worker = _staff(organisation_id, Role.SOCIAL_WORKER)
    case_list = reverse("casework:case_list")
    pages = [
        Page("mentor_home", "mentor: home page (own open tasks)", mentor, reverse("casework:home")),
        Page("mentor_inbox", "mentor: Viewflow inbox", mentor, reverse("journey:inbox")),
        Page("mentor_tasks", "mentor: task inbox, my tasks", mentor, reverse("tasks:inbox")),
        Page(
            "supervisor_queue",
            "supervisor: task inbox, team queue",
            supervisor,
            f"{reverse('tasks:inbox')}?box=queue",
        ),
        Page(
            "supervisor_team_tasks",
            "supervisor: task inbox, all tasks of the team",
            supervisor,
            f"{reverse('tasks:inbox')}?box=team",
        ),
        Page("mentor_case_list", "mentor: case list", mentor, case_list),
        Page("worker_home", "social worker: home page", worker, reverse("casework:home")),
        Page(
            "supervisor_home",
            "supervisor: home page (approvals)",
            supervisor,
            reverse("casework:home"),
        ),
        Page("supervisor_case_list", "supervisor: case list", supervisor, case_list),
        Page(
            "case_list_stage",
            "supervisor: case list, stage filter",
            supervisor,
            f"{case_list}?stage={Stage.TRAINING}",
        ),
        Page(
            "case_list_mentor",
            "supervisor: case list, mentor filter",
            supervisor,
            f"{case_list}?mentor={mentor}",
        ),
        Page(
            "case_list_search",
            "supervisor: case list, name search",
            supervisor,
            f"{case_list}?q=kov",
        ),
        Page(
            "case_list_page_3", "supervisor: case list, page 3", supervisor, f"{case_list}?page=3"
        ),
    ]
    mentor_case = Case.objects.filter(mentor_id=mentor, stage=Stage.TRAINING).order_by("pk").first()
    if mentor_case is not None:
        pages.append(
            Page("case_page", "mentor: one case's page", mentor, mentor_case.get_absolute_url())
        )
    programme_id = (
        Organisation.objects.filter(pk=organisation_id)
        .values_list("programmes", flat=True)
        .order_by("programmes")
        .first()
    )
    if apps.is_installed("reporting") and programme_id is not None:
        # Every indicator of the programme over the organisation's records (P5's page).
        pages.append(
            Page(
                "reporting_dashboard",
                "supervisor: indicator dashboard",
                supervisor,
                reverse("reporting:dashboard", args=[programme_id]),
            )
        )
    kinds = None
    if apps.is_installed("audit"):
        pages.append(
            Page(
                "audit_list",
                "supervisor: organisation audit list",
                supervisor,
                reverse("audit:organisation_list"),
            )
        )
        case, kinds = timeline_case(organisation_id, timeline_reference)
        if case is not None:
            pages.append(
                Page(
                    "audit_timeline",
                    "supervisor: one case's audit timeline",
                    supervisor,
                    reverse("audit:case_timeline", args=[case.pk]),
                )
            )
    return pages, kinds


class _Recorder:
    """Per-query SQL, parameters and time of one request (to pick the queries to EXPLAIN)."""

    def __init__(self):
        self.queries: list[tuple[float, str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - started, sql, params))


def measure(
    pages: list[Page], *, requests: int, runs: int = 1, warmup: int = 3, explain: int = 0
) -> dict:
    """Request every page ``warmup`` times, once to count and record its queries (and, on
    PostgreSQL, EXPLAIN ANALYZE them; ``explain``: how many of the slowest plans to keep), then
    ``runs`` rounds of ``requests`` timed requests, every page in each round, so that whatever
    else runs on the machine spreads over all pages alike."""
    user_model = get_user_model()
    results, clients = {}, {}
    for page in pages:
        client = clients[page.key] = Client()
        client.force_login(user_model.objects.get(pk=page.user_id))
        for _ in range(warmup):
            client.get(page.url)
        recorder = _Recorder()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(recorder):
            response = client.get(page.url)
        # Read now: every request clears the connection's query log.
        statements = [q["sql"] for q in captured.captured_queries]
        plans = _plans(recorder.queries) if connection.vendor == "postgresql" else []
        results[page.key] = {
            "title": page.title,
            "url": page.url,
            "status": response.status_code,
            "queries": len(statements),
            "statements": statements,
            # What PostgreSQL itself spent (planning + execution of every SELECT of one
            # request), free of round trips and of other processes' load.
            "db_server_ms": sum(plan["total_ms"] for plan in plans),
            "plans": plans[:explain],
            "rounds": [],
        }
    for _ in range(runs):
        for page in pages:
            client = clients[page.key]
            server, db, counts = [], [], []
            for _ in range(requests):
                with timed_queries() as timer:
                    started = time.perf_counter()
                    client.get(page.url)
                    server.append(time.perf_counter() - started)
                db.append(timer.seconds)
                counts.append(timer.count)
            results[page.key]["rounds"].append((server, db, counts))
    for result in results.values():
        rounds = result.pop("rounds")
        server = [t for r in rounds for t in r[0]]
        db = [t for r in rounds for t in r[1]]
        result["queries_timed"] = sorted({c for r in rounds for c in r[2]})
        result["server"] = summary(server)
        result["db"] = summary(db)
        result["server_p95_runs"] = spread([summary(r[0])["p95_ms"] for r in rounds])
        result["server_p50_runs"] = spread([summary(r[0])["p50_ms"] for r in rounds])
        result["db_p95_runs"] = spread([summary(r[1])["p95_ms"] for r in rounds])
        result["db_p50_runs"] = spread([summary(r[1])["p50_ms"] for r in rounds])
    return results


def _plans(queries) -> list[dict]:
    """EXPLAIN ANALYZE every SELECT of one request; slowest (by the server's own timing) first."""
    plans = []
    for _seconds, sql, params in queries:
        text = sql.lstrip()
        if text.upper().startswith("DECLARE"):  # a server-side cursor: explain its query
            text = text[text.upper().index(" FOR ") + 5 :]
        upper = text.upper()
        # Reads only: a SELECT, a compound query ("(SELECT ...) UNION ALL (...)") or a WITH
        # that writes nothing (EXPLAIN ANALYZE runs the statement: a deferred write's
        # data-modifying WITH would write twice).
        reads = upper.startswith(("SELECT", "(")) or (
            upper.startswith("WITH") and not re.search(r"\b(INSERT|UPDATE|DELETE)\b", upper)
        )
        if not reads:
            continue
        plans.append(_explain(text, params))
    return sorted(plans, key=lambda plan: -plan["total_ms"])


def _explain(sql: str, params) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        lines = [row[0] for row in cursor.fetchall()]
        mogrified = cursor.mogrify(sql, params) if hasattr(cursor, "mogrify") else sql
    if isinstance(mogrified, bytes):
        mogrified = mogrified.decode()
    total = 0.0
    for line in lines:
        if line.startswith(("Planning Time:", "Execution Time:")):
            total += float(line.split(":")[1].split()[0])
    return {"sql": mogrified, "plan": "\n".join(lines), "total_ms": total}
