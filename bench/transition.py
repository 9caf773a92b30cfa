"""P1: one journey transition through the service layer, against the raw-SQL limit of the same
shape.

The transition is ``services.case_advance`` from health screening to placement, by the case's
mentor, on generated cases whose screening is recorded: it locks the case row, checks the
role and the stage's guard, runs the FSM transition, saves the case with its history row (and
the audit chain link, when the audit app is installed), completes the Viewflow task (under the
case row lock, which is the flow's lock), asks ``route`` for the next task and opens it, and
writes the notifications (pushed after commit). Every transition gets a freshly loaded user, as
a request would.

The raw limit does what the transition must write, nothing else: in one transaction, through
the same driver, one ``UPDATE`` of a case row and as many ``INSERT``s as the transition made
(into a scratch table with rows about as wide as a history row), then ``COMMIT``.
"""

from __future__ import annotations

import time
from collections import Counter

from django.conf import settings
from django.contrib.auth import load_backend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework import services
from casework.journey import Stage
from casework.models import Case

from .stats import spread, summary

RAW_TABLE = "bench_raw_write"
RAW_PAYLOAD = "x" * 180  # about the width of a history row's text columns
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def candidates(limit: int, *, organisation_ids: list[int] | None = None) -> list[tuple[int, int]]:
    """(case id, mentor id) of cases that can leave screening now."""
    cases = Case.objects.filter(
        stage=Stage.SCREENING, screening__isnull=False, mentor__isnull=False
    )
    if organisation_ids:
        cases = cases.filter(organisation_id__in=organisation_ids)
    return list(cases.order_by("pk").values_list("pk", "mentor_id")[:limit])


def kinds(statements: list[str]) -> Counter:
    counter: Counter = Counter()
    for sql in statements:
        word = sql.lstrip().split(None, 1)[0].upper()
        counter[word if word in ("SELECT", "INSERT", "UPDATE", "DELETE") else "other"] += 1
        if word in TRANSACTION_CONTROL:
            counter["transaction control"] += 1
            counter["other"] -= 1
    return +counter


def request_user(user_id: int):
    """The user as a request gets it: loaded by the authentication backend a session names (the
    first configured one, which loads the roles and staff profile with the user), with empty
    permission caches."""
    # django-axes' backend comes first and only refuses locked-out logins: it loads no user.
    backend = next(b for b in settings.AUTHENTICATION_BACKENDS if not b.startswith("axes."))
    return load_backend(backend).get_user(user_id)


def _advance(case_id: int, mentor_id: int, user=None) -> float:
    """One transition by the case's mentor, freshly loaded as a request loads its user, before
    the clock starts."""
    user = user or request_user(mentor_id)
    started = time.perf_counter()
    services.case_advance(user=user, case_id=case_id, from_stage=Stage.SCREENING)
    return time.perf_counter() - started


def _raw_setup() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        key = (
            "bigserial PRIMARY KEY"
            if connection.vendor == "postgresql"
            else "integer PRIMARY KEY AUTOINCREMENT"
        )
        cursor.execute(
            f"CREATE TABLE {RAW_TABLE} (id {key}, case_id bigint NOT NULL, "
            f"at timestamp NOT NULL, kind varchar(30) NOT NULL, user_id bigint, "
            f"payload text NOT NULL)"
        )


def _raw_transaction(raw, case_id: int, inserts: int) -> float:
    """One UPDATE and ``inserts`` INSERTs in one transaction, on the DB-API connection."""
    now = timezone.now()
    if connection.vendor == "sqlite":
        now = now.replace(tzinfo=None).isoformat(" ")
        mark, begin = "?", "BEGIN IMMEDIATE"
    else:
        mark, begin = "%s", None
    started = time.perf_counter()
    cursor = raw.cursor()
    if begin:
        cursor.execute(begin)
    cursor.execute(
        f"UPDATE casework_case SET stage_changed_at = {mark} WHERE id = {mark}", (now, case_id)
    )
    for n in range(inserts):
        cursor.execute(
            f"INSERT INTO {RAW_TABLE} (case_id, at, kind, user_id, payload) "
            f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark})",
            (case_id, now, f"row{n}", case_id, RAW_PAYLOAD),
        )
    raw.commit()
    cursor.close()
    return time.perf_counter() - started


def run(*, runs: int, per_run: int, organisation_ids: list[int] | None = None, log=print) -> dict:
    """``runs`` runs of ``per_run`` transitions each (plus a few counted ones per run), and as
    many raw transactions of the same shape, interleaved run by run."""
    counted_per_run = 2
    pool = candidates(runs * (per_run + counted_per_run), organisation_ids=organisation_ids)
    if len(pool) < runs * (per_run + counted_per_run):
        raise RuntimeError(
            f"P1 needs {runs * (per_run + counted_per_run)} cases ready to leave screening, "
            f"the dataset has {len(pool)}: generate more clients"
        )
    _raw_setup()
    django_runs, raw_runs, ratios, all_django, all_raw = [], [], [], [], []
    counts, shape = [], Counter()
    statements: list[str] = []
    for r in range(runs):
        batch = pool[r * (per_run + counted_per_run) : (r + 1) * (per_run + counted_per_run)]
        for case_id, mentor_id in batch[:counted_per_run]:
            user = request_user(mentor_id)
            with CaptureQueriesContext(connection) as captured:
                _advance(case_id, mentor_id, user)
            statements = [q["sql"] for q in captured.captured_queries]
            counts.append(len(statements))
            shape = kinds(statements)
        timings = [_advance(case_id, mentor_id) for case_id, mentor_id in batch[counted_per_run:]]
        inserts = shape.get("INSERT", 0)
        connection.ensure_connection()
        raw = connection.connection
        was_autocommit = connection.get_autocommit()
        if connection.vendor == "postgresql":
            raw.autocommit = False
        raw_timings = []
        for case_id, _mentor in batch[counted_per_run:]:
            raw_timings.append(_raw_transaction(raw, case_id, inserts))
        if connection.vendor == "postgresql":
            raw.autocommit = was_autocommit
        django_runs.append(summary(timings))
        raw_runs.append(summary(raw_timings))
        ratios.append(raw_runs[-1]["p50_ms"] / django_runs[-1]["p50_ms"])
        all_django += timings
        all_raw += raw_timings
        log(
            f"  P1 run {r + 1}/{runs}: transition p50 {django_runs[-1]['p50_ms']:.2f} ms, "
            f"p95 {django_runs[-1]['p95_ms']:.2f} ms; raw p50 {raw_runs[-1]['p50_ms']:.2f} ms; "
            f"ratio {ratios[-1]:.2f}"
        )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {RAW_TABLE}")
    statements_only = [
        s for s in statements if not s.lstrip().upper().startswith(TRANSACTION_CONTROL)
    ]
    return {
        "vendor": connection.vendor,
        "runs": runs,
        "per_run": per_run,
        "queries": sorted(set(counts)),
        "statements": len(statements_only),
        "shape": dict(shape),
        "sql": statements,
        "p50_ms": spread([d["p50_ms"] for d in django_runs]),
        "p95_ms": spread([d["p95_ms"] for d in django_runs]),
        "raw_p50_ms": spread([d["p50_ms"] for d in raw_runs]),
        "raw_p95_ms": spread([d["p95_ms"] for d in raw_runs]),
        "ratio": spread(ratios),
        "transitions_per_s": 1000 / spread([d["mean_ms"] for d in django_runs])["median"],
        "raw_per_s": 1000 / spread([d["mean_ms"] for d in raw_runs])["median"],
        "all": summary(all_django),
        "all_raw": summary(all_raw),
    }
