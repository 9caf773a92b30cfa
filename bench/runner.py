"""What one worker process measures, on one database server (``DATABASE_URL``), in a throwaway
database of its own. ``manage.py bench`` starts one worker per backend and merges their JSON."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from django.apps import apps
from django.db import connection

from . import database, dataset, history_cost, indicator_report, machine, pages, transition

# Pages whose query count depends on the variety of what they show, not on its amount (the
# audit timeline was one, until its history rows and names came in one query each).
VARIETY_BOUND: set[str] = set()


@dataclass
class Plan:
    """Sizes and repetitions for one worker."""

    quick: bool
    small: int  # clients of the small dataset (P2's reference query counts)
    large: int  # clients of the large dataset (0: no P2)
    history: int  # history rows of the large dataset
    runs: int
    transitions: int  # per run (P1)
    requests: int  # per page and run (P2)
    saves: int  # per variant and run (P4)
    p2: bool
    keep: bool = False
    p1_clients: int = 0  # clients generated for P1/P4 when there is no P2 dataset

    @property
    def p1_cases(self) -> int:
        return self.runs * (self.transitions + 2)


def run(plan: Plan, log=print) -> dict:
    started = time.monotonic()
    name = "lepes_bench_quick" if plan.quick else "lepes_bench"
    if not plan.keep:
        # One database per run, so that two runs on one server never drop each other's.
        name = f"{name}_{os.getpid()}"
    original, reused = database.create(name, keep=plan.keep)
    result: dict = {"vendor": connection.vendor, "database": connection.settings_dict["NAME"]}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            result["postgres"] = machine.postgres_facts(cursor)
    result["load_start"] = machine.load()
    manifest = database.load_manifest() if reused else None
    try:
        if plan.p2:
            result["p2"] = _p2(plan, manifest, log)
            organisations = result["p2"]["large"]["organisations"]
        else:
            if manifest is None:
                log(f"[{connection.vendor}] generating {plan.p1_clients:,} clients for P1/P4")
                summary = dataset.generate(
                    clients=plan.p1_clients,
                    history_rows=plan.p1_clients * 20,
                    screening_ready=plan.p1_cases + 20,
                    log=log,
                )
                manifest = {"p1": summary.as_json()}
                database.save_manifest(manifest)
            organisations = manifest["p1"]["organisations"]
            result["dataset"] = manifest["p1"]
        log(f"[{connection.vendor}] P1: {plan.runs} runs of {plan.transitions} transitions")
        result["p1"] = transition.run(
            runs=plan.runs, per_run=plan.transitions, organisation_ids=organisations, log=log
        )
        log(f"[{connection.vendor}] P4: {plan.runs} runs of {plan.saves} saves per variant")
        result["p4"] = history_cost.run(runs=plan.runs, saves=plan.saves, log=log)
        if plan.p2:
            # Last: it folds the datasets' cases into one programme per dataset.
            result["p5"] = indicator_report.run(
                small=result["p2"]["small"],
                large=result["p2"]["large"],
                repeats=3 if plan.quick else 10,
                explain=not plan.quick,
                log=log,
            )
    finally:
        result["load_end"] = machine.load()
        result["seconds"] = time.monotonic() - started
        if not plan.keep:
            database.drop(original)
    return result


def _p2(plan: Plan, manifest: dict | None, log) -> dict:
    vendor = connection.vendor
    if manifest is None or "large" not in manifest:
        log(f"[{vendor}] generating the small dataset: {plan.small:,} clients")
        small = dataset.generate(clients=plan.small, tag="small", log=lambda m: None).as_json()
        log(
            f"[{vendor}] generating the large dataset: {plan.large:,} clients, "
            f"{plan.history:,} history rows"
        )
        large = dataset.generate(
            clients=plan.large,
            history_rows=plan.history,
            tag="large",
            screening_ready=plan.p1_cases + 20,
            log=log,
        ).as_json()
        manifest = {"small": small, "large": large}
        database.save_manifest(manifest)
    small, large = manifest["small"], manifest["large"]
    rows = _table_rows()
    explain = 0 if plan.quick else 2
    log(f"[{vendor}] P2: pages of the small dataset's first organisation")
    small_pages, kinds = pages.pages_for(small["organisations"][0])
    small_results = pages.measure(small_pages, requests=plan.requests, runs=plan.runs)
    log(f"[{vendor}] P2: pages of the large dataset's first organisation")
    large_pages, large_kinds = pages.pages_for(large["organisations"][0], timeline_reference=kinds)
    large_results = pages.measure(
        large_pages, requests=plan.requests, runs=plan.runs, explain=explain
    )
    log(f"[{vendor}] P2: the small dataset's pages again, in the grown database")
    after = pages.measure(small_pages, requests=0, runs=0, warmup=1)
    parity = {}
    for key, result in large_results.items():
        reference = small_results.get(key)
        small_count = reference["queries"] if reference else None
        again = after[key]["queries"] if key in after else None
        parity[key] = {
            "small": small_count,
            "large": result["queries"],
            "small_in_large_db": again,
            # The same page of the same user, after the database grew a thousandfold.
            "same_objects": again == small_count,
            # The same page of a bigger organisation (more cases, tasks, history).
            "same_shape": small_count == result["queries"],
        }
        # Growth is the failure: more queries for more data. A page that shows fewer kinds of
        # record (the organisation list without a session on it) may issue fewer.
        grows = small_count is None or result["queries"] > small_count
        parity[key]["same"] = parity[key]["same_objects"] and (not grows or key in VARIETY_BOUND)
    return {
        "small": small,
        "large": large,
        "rows": rows,
        "timeline_kinds": sorted(kinds or []),
        "timeline_kinds_large": sorted(large_kinds or []),
        "pages_small": small_results,
        "pages_large": large_results,
        "parity": parity,
        "audit": apps.is_installed("audit"),
    }


def _table_rows() -> dict:
    """Row counts of the tables that matter, as the database sees them now."""
    names = [
        "casework_client",
        "casework_case",
        "casework_attendance",
        "viewflow_process",
        "viewflow_task",
        "notifications_notification",
        "audit_chainlink",
    ]
    tables = set(connection.introspection.table_names())
    history = sorted(t for t in tables if t.startswith("casework_historical"))
    counts = {}
    with connection.cursor() as cursor:
        for table in [*names, *history]:
            if table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                counts[table] = cursor.fetchone()[0]
    counts["history (all casework tables)"] = sum(counts.get(t, 0) for t in history)
    return counts
