"""The benchmark's console table and its section of BENCHMARKS.md.

BENCHMARKS.md is partly written by hand (findings, what would close a gap); ``manage.py bench``
rewrites only what lies between the two markers below, and creates the file if it is missing.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

BEGIN = "<!-- bench:begin (written by manage.py bench; edits here are overwritten) -->"
END = "<!-- bench:end -->"

GOALS = {
    "p1_ratio": 0.25,
    "p1_queries": 10,
    "p1_p95_ms": 10.0,
    "p2_db_p95_ms": 10.0,
    "p2_page_p95_ms": 50.0,
    "p4_ratio": 1.4,
    "p5_p95_ms": 1000.0,
}


def _ok(flag: bool) -> str:
    return "met" if flag else "**missed**"


def query_growth(results: dict) -> list[str]:
    """Pages whose query count grows from the small to the large dataset."""
    lines = []
    for vendor, worker in results["workers"].items():
        p2 = worker.get("p2") if isinstance(worker, dict) else None
        if not p2:
            continue
        for key, parity in p2["parity"].items():
            if not parity["same"]:
                lines.append(
                    f"{vendor} {key}: {parity['small']} queries at "
                    f"{p2['small']['clients']:,} clients, {parity['small_in_large_db']} for the "
                    f"same user and objects after the database grew, {parity['large']} for "
                    f"the same page of an organisation of the "
                    f"{p2['large']['clients']:,}-client dataset"
                )
        p5 = worker.get("p5") if isinstance(worker, dict) else None
        if p5 and not p5["same_queries"]:
            lines.append(
                f"{vendor} P5 indicator report: {p5['small']['queries']} queries at "
                f"{p5['small']['participants']:,} participants, {p5['large']['queries']} at "
                f"{p5['large']['participants']:,}"
            )
    return lines


def not_served(results: dict) -> list[str]:
    """Pages that did not answer 200: a redirect to a login or second-factor page, or an
    error, would be measured as a fast page."""
    lines = []
    for vendor, worker in results["workers"].items():
        p2 = worker.get("p2") if isinstance(worker, dict) else None
        for size in ("pages_small", "pages_large"):
            for key, page in (p2 or {}).get(size, {}).items():
                if page["status"] != 200:
                    lines.append(
                        f"{vendor} {key} ({size.removeprefix('pages_')}): HTTP {page['status']}"
                    )
    return lines


def _ms(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _spread(s: dict, unit: str = "") -> str:
    return f"{_ms(s['median'])}{unit} ({_ms(s['min'])}–{_ms(s['max'])})"


# --------------------------------------------------------------------------------------------
# Console
# --------------------------------------------------------------------------------------------


def table(results: dict) -> str:
    out = [""]
    for vendor, worker in results["workers"].items():
        if "error" in worker:
            out.append(f"{vendor}: {worker['error']}")
            continue
        p1 = worker["p1"]
        out.append(
            f"P1 {vendor:10} transition p50 {_spread(p1['p50_ms'], ' ms')}  p95 "
            f"{_spread(p1['p95_ms'], ' ms')}  queries {p1['queries']} "
            f"({p1['statements']} statements)  raw p50 {_spread(p1['raw_p50_ms'], ' ms')}  "
            f"ratio {_spread(p1['ratio'])}"
        )
        for mode, p4 in worker["p4"]["modes"].items():
            out.append(
                f"P4 {vendor:10} save ({mode}) mean: plain "
                f"{_ms(p4['plain']['mean_ms']['median'])} ms, "
                f"history x{p4['history']['ratio']['median']:.2f}, cached "
                f"x{p4['history_cached']['ratio']['median']:.2f}, with audit chain "
                f"x{p4['history_audit']['ratio']['median']:.2f}"
            )
        p5 = worker.get("p5")
        if p5:
            for size in ("small", "large"):
                r = p5[size]
                out.append(
                    f"P5 {vendor:10} indicator report, {r['participants']:,} participants: "
                    f"p50 {_ms(r['report']['p50_ms'])} ms, p95 {_ms(r['report']['p95_ms'])} ms, "
                    f"queries {r['queries']}; first of the day p50 {_ms(r['first']['p50_ms'])} ms; "
                    f"frozen run p50 {_ms(r['compute']['p50_ms'])} ms"
                )
        p2 = worker.get("p2")
        if p2:
            out.append(
                f"P2 {vendor}: {p2['small']['clients']:,} vs {p2['large']['clients']:,} clients "
                f"({p2['rows'].get('history (all casework tables)', 0):,} history rows)"
            )
            out.append(
                f"   {'page':24} {'queries':>12} {'page p50':>9} {'page p95':>9} "
                f"{'db p50':>8} {'db p95':>8} {'pg exec':>8}"
            )
            for key, page in p2["pages_large"].items():
                parity = p2["parity"][key]
                counts = f"{parity['small']}/{parity['small_in_large_db']}/{parity['large']}"
                out.append(
                    f"   {key:24} {counts:>12} {_ms(page['server']['p50_ms']):>9} "
                    f"{_ms(page['server']['p95_ms']):>9} {_ms(page['db']['p50_ms']):>8} "
                    f"{_ms(page['db']['p95_ms']):>8} {_ms(page['db_server_ms']):>8}"
                    + ("" if parity["same"] else "  <-- count grows")
                    + ("" if page["status"] == 200 else f"  HTTP {page['status']}")
                )
    out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# BENCHMARKS.md
# --------------------------------------------------------------------------------------------


def write_markdown(results: dict, path: Path) -> None:
    generated = markdown(results)
    if path.exists():
        text = path.read_text()
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            _old, tail = rest.split(END, 1)
            path.write_text(f"{head}{BEGIN}\n{generated}\n{END}{tail}")
            return
    path.write_text(f"# Benchmarks\n\n{BEGIN}\n{generated}\n{END}\n")


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = []
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    kind = "`manage.py bench --quick`" if results["quick"] else "`manage.py bench`"
    lines += [
        f"Measured by {kind} on {now}; the whole run took **{results['seconds'] / 60:.1f} "
        f"minutes**.",
        "",
        "### Machine and versions",
        "",
        "| | |",
        "| --- | --- |",
        f"| CPU | {m['nproc']} cores (`nproc`), {m['cpu']} |",
        f"| RAM | {m['memory_gib']} GiB |",
        f"| OS | {m['os']}, kernel {m['kernel']} |",
        "| load average (1, 5, 15 min) at start | "
        + ", ".join(f"{x:.2f}" for x in m["load_start"])
        + " |",
        f"| load average at end | {', '.join(f'{x:.2f}' for x in m['load_end'])} |",
    ]
    for moment in ("start", "end"):
        speed = m.get(f"speed_{moment}")
        if speed:
            lines.append(
                f"| machine speed at {moment} (best of 5; lower is faster) | a 1,000,000-step "
                f"Python loop {speed['python_loop_ms']} ms; 200 case queries compiled by the "
                f"ORM {speed['orm_compile_ms']} ms |"
            )
    pg = results["workers"].get("postgresql", {}).get("postgres")
    for name, version in m["versions"].items():
        lines.append(f"| {name} | {version} |")
    if pg:
        lines.append(f"| PostgreSQL | {pg['version']} |")
        settings = ", ".join(f"{k}={v}" for k, v in pg.items() if k != "version")
        lines.append(f"| PostgreSQL settings | {settings} |")
    lines.append("")
    lines += _goals(results)
    for vendor, worker in results["workers"].items():
        if "error" in worker:
            lines += [f"**{vendor}: {worker['error']}**", ""]
    lines += _p1(results)
    lines += _p2(results)
    lines += _p4(results)
    lines += p5_section(results)
    return "\n".join(lines)


def _worker(results, vendor):
    worker = results["workers"].get(vendor)
    return worker if worker and "error" not in worker else None


def _goals(results: dict) -> list[str]:
    lines = ["### Goals", "", "| goal | measured | verdict |", "| --- | --- | --- |"]
    pg = _worker(results, "postgresql")
    if pg:
        p1 = pg["p1"]
        lines.append(
            f"| P1 PostgreSQL: ratio to the raw limit ≥ {GOALS['p1_ratio']} | "
            f"{p1['ratio']['median']:.2f} | {_ok(p1['ratio']['median'] >= GOALS['p1_ratio'])} |"
        )
        lines.append(
            f"| P1 PostgreSQL: ≤ {GOALS['p1_queries']} queries per transition | "
            f"{max(p1['queries'])} ({p1['statements']} without BEGIN, COMMIT, savepoints) | "
            f"{_ok(max(p1['queries']) <= GOALS['p1_queries'])} |"
        )
        lines.append(
            f"| P1 PostgreSQL: p95 ≤ {GOALS['p1_p95_ms']:.0f} ms | "
            f"{_ms(p1['p95_ms']['median'])} ms | "
            f"{_ok(p1['p95_ms']['median'] <= GOALS['p1_p95_ms'])} |"
        )
        p2 = pg.get("p2")
        if p2:
            parity = p2["parity"]
            identical = [k for k, p in parity.items() if p["same_objects"] and p["same_shape"]]
            differ = [
                f"{k} {p['small']}→{p['large']}"
                for k, p in parity.items()
                if not (p["same_objects"] and p["same_shape"])
            ]
            lines.append(
                f"| P2: query counts at {p2['large']['clients']:,} clients identical to those at "
                f"{p2['small']['clients']:,} | {len(identical)} of {len(parity)} pages identical"
                + (f" (differ: {', '.join(differ)})" if differ else "")
                + f"; none grows: {_ok(all(p['same'] for p in parity.values()))} | "
                f"{_ok(len(identical) == len(parity))} |"
            )
            pages = p2["pages_large"]
            db_bad = [
                k for k, p in pages.items() if p["db_p95_runs"]["median"] >= GOALS["p2_db_p95_ms"]
            ]
            page_bad = [
                k
                for k, p in pages.items()
                if p["server_p95_runs"]["median"] >= GOALS["p2_page_p95_ms"]
            ]
            lines.append(
                f"| P2: DB p95 < {GOALS['p2_db_p95_ms']:.0f} ms on every page | "
                f"{len(pages) - len(db_bad)} of {len(pages)} pages"
                + (f" (not: {', '.join(db_bad)})" if db_bad else "")
                + f" | {_ok(not db_bad)} |"
            )
            lines.append(
                f"| P2: page p95 < {GOALS['p2_page_p95_ms']:.0f} ms on every page | "
                f"{len(pages) - len(page_bad)} of {len(pages)} pages"
                + (f" (not: {', '.join(page_bad)})" if page_bad else "")
                + f" | {_ok(not page_bad)} |"
            )
        p5 = pg.get("p5")
        if p5:
            large = p5["large"]
            p95 = large["report"]["p95_ms"]
            lines.append(
                f"| P5: the indicator report of a programme of {large['participants']:,} "
                f"participants, p95 < {GOALS['p5_p95_ms']:.0f} ms, queries independent of size "
                f"| {_ms(p95)} ms; {p5['small']['queries']} queries at "
                f"{p5['small']['participants']:,} participants, {large['queries']} at "
                f"{large['participants']:,} | "
                f"{_ok(p95 < GOALS['p5_p95_ms'] and p5['same_queries'])} |"
            )
    for vendor in ("postgresql", "sqlite"):
        worker = _worker(results, vendor)
        if worker:
            for mode, variants in worker["p4"]["modes"].items():
                ratio = variants["history_cached"]["ratio"]["median"]
                before = variants["history"]["ratio"]["median"]
                lines.append(
                    f"| P4 {vendor}, {mode.replace('_', ' ')}: save with history ≤ "
                    f"{GOALS['p4_ratio']}× the save without | {ratio:.2f}× (released "
                    f"simple-history: {before:.2f}×) | {_ok(ratio <= GOALS['p4_ratio'])} |"
                )
    lines.append("")
    return lines


def _p1(results: dict) -> list[str]:
    lines = [
        "### P1: one journey transition (screening → placement) through the service layer",
        "",
        "Median of the runs, with the range over runs in brackets. *Queries*: statements "
        "captured by `CaptureQueriesContext` for one transition, `BEGIN` and `COMMIT` "
        "included (Django logs them; both drivers send them as round trips of their own); "
        "*statements*: the same without transaction control and savepoints. "
        "*Raw limit*: one `UPDATE` and as many `INSERT`s as the transition makes, in one "
        "transaction, through the same driver, in the same run.",
        "",
        "| backend | transitions | queries (statements) | p50 | p95 | raw limit p50 | "
        "ratio (raw p50 / p50) | transitions/s | raw/s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for vendor in ("sqlite", "postgresql"):
        worker = _worker(results, vendor)
        if not worker:
            continue
        p1 = worker["p1"]
        lines.append(
            f"| {vendor} | {p1['runs']} × {p1['per_run']} | {max(p1['queries'])} "
            f"({p1['statements']}) | {_spread(p1['p50_ms'], ' ms')} | "
            f"{_spread(p1['p95_ms'], ' ms')} | {_spread(p1['raw_p50_ms'], ' ms')} | "
            f"{_spread(p1['ratio'])} | {p1['transitions_per_s']:.0f} | {p1['raw_per_s']:.0f} |"
        )
    lines.append("")
    worker = _worker(results, "postgresql") or _worker(results, "sqlite")
    if worker:
        p1 = worker["p1"]
        shape = ", ".join(f"{n} {kind}" for kind, n in sorted(p1["shape"].items()))
        lines += [
            f"The statements of one transition on {worker['vendor']} ({shape}):",
            "",
            "```",
        ]
        for n, sql in enumerate(p1["sql"], 1):
            lines.append(f"{n:2}. {sql[:150]}")
        lines += ["```", ""]
    return lines


def _p2(results: dict) -> list[str]:
    lines = []
    for vendor in ("postgresql", "sqlite"):
        worker = _worker(results, vendor)
        if not worker or not worker.get("p2"):
            continue
        p2 = worker["p2"]
        lines += [
            f"### P2: pages at {p2['small']['clients']:,} and at {p2['large']['clients']:,} "
            f"clients ({vendor})",
            "",
            "The large dataset (generated by `bench.dataset` in "
            f"{p2['large']['seconds']['total']:.0f} s: "
            + ", ".join(f"{k} {v:.0f} s" for k, v in p2["large"]["seconds"].items() if k != "total")
            + "), row counts of the whole database:",
            "",
            "| table | rows |",
            "| --- | --- |",
        ]
        for table, count in p2["rows"].items():
            lines.append(f"| {table} | {count:,} |")
        lines += [
            "",
            "Each page requested through Django's test client (URL routing, middleware, view, "
            "template) as the first organisation's staff; the large dataset's organisation has "
            f"{p2['large']['clients'] // max(1, len(p2['large']['organisations'])):,} cases. "
            "*Queries*: the page of the small dataset's organisation / the same page (same "
            "user, same objects) after the large dataset was added to the database / the "
            "page of the large dataset's organisation (the timeline shows another case there, "
            "with the same kinds of record on its first page). *Page* and "
            "*DB*: wall time of the "
            "request and the sum of its queries' wall times as Python sees them (p50 and p95 "
            "over all requests; the range of the per-run p95 in brackets). *PG exec*: "
            "PostgreSQL's own planning + execution time of all the page's SELECTs (EXPLAIN "
            "ANALYZE), free of round trips and of the machine's other load.",
            "",
            "| page | queries | page p50 | page p95 | DB p50 | DB p95 | PG exec |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for key, page in p2["pages_large"].items():
            parity = p2["parity"][key]
            counts = f"{parity['small']} / {parity['small_in_large_db']} / {parity['large']}" + (
                "" if parity["same"] else " ⚠ grows"
            )
            status = "" if page["status"] == 200 else f" (HTTP {page['status']})"
            lines.append(
                f"| {page['title']}{status} | {counts} | {_ms(page['server']['p50_ms'])} | "
                f"{_ms(page['server']['p95_ms'])} ({_ms(page['server_p95_runs']['min'])}–"
                f"{_ms(page['server_p95_runs']['max'])}) | {_ms(page['db']['p50_ms'])} | "
                f"{_ms(page['db']['p95_ms'])} ({_ms(page['db_p95_runs']['min'])}–"
                f"{_ms(page['db_p95_runs']['max'])}) | {_ms(page['db_server_ms'])} |"
            )
        lines += [
            "",
            "At the small size, for comparison:",
            "",
            "| page | queries | page p50 | page p95 | DB p50 | DB p95 |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for page in p2["pages_small"].values():
            lines.append(
                f"| {page['title']} | {page['queries']} | {_ms(page['server']['p50_ms'])} | "
                f"{_ms(page['server']['p95_ms'])} | {_ms(page['db']['p50_ms'])} | "
                f"{_ms(page['db']['p95_ms'])} |"
            )
        lines.append("")
        plans = [(key, page) for key, page in p2["pages_large"].items() if page["plans"]]
        if plans:
            lines += [
                "#### Plans at the large size",
                "",
                "For every page, the two SELECTs PostgreSQL spent most time on (EXPLAIN (ANALYZE, "
                "BUFFERS), run right after the page was measured; column lists shortened):",
                "",
            ]
            for _key, page in plans:
                for plan in page["plans"]:
                    sql = re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", plan["sql"], count=1)
                    lines += [
                        f"<details><summary>{page['title']}: {plan['total_ms']:.2f} ms</summary>",
                        "",
                        "```sql",
                        sql[:1500] + (" …" if len(sql) > 1500 else ""),
                        "```",
                        "```",
                        plan["plan"],
                        "```",
                        "</details>",
                        "",
                    ]
    return lines


def _p4(results: dict) -> list[str]:
    lines = [
        "### P4: the cost of history on a save",
        "",
        "`Case.save()` with acting user and reason. *plain*: history off; *history*: "
        "simple-history as released; *cached*: with `kernel.compat.simple_history_speedup` "
        "(installed by "
        "`CaseworkConfig.ready()`); *+ audit chain*: cached history plus the audit app's chain "
        "link, i.e. the application as configured. *commit*: one transaction per save, as a "
        "service does (includes the commit's disk flush); *in transaction*: the saves inside "
        "one open transaction (the save's own CPU and round trips). Mean times; ratios against "
        "*plain*, median over runs (range in brackets).",
        "",
        "| backend | mode | saves | plain | history | cached | + audit chain | history/plain | "
        "cached/plain | + audit/plain |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    descriptors = []
    for vendor in ("sqlite", "postgresql"):
        worker = _worker(results, vendor)
        if not worker:
            continue
        p4 = worker["p4"]
        for mode, v in p4["modes"].items():
            lines.append(
                f"| {vendor} | {mode.replace('_', ' ')} | {p4['runs']} × {p4['saves']} | "
                f"{_ms(v['plain']['mean_ms']['median'])} ms | "
                f"{_ms(v['history']['mean_ms']['median'])} ms | "
                f"{_ms(v['history_cached']['mean_ms']['median'])} ms | "
                f"{_ms(v['history_audit']['mean_ms']['median'])} ms | "
                f"{_spread(v['history']['ratio'])} | {_spread(v['history_cached']['ratio'])} | "
                f"{_spread(v['history_audit']['ratio'])} |"
            )
        d = p4["descriptor_us"]
        descriptors.append(
            f"{vendor}: {d['released']:.0f} µs → {d['cached']:.1f} µs per `instance.history`; "
            f"{p4['speedup_us']:.0f} µs less per history row (in transaction)"
        )
    lines += ["", "The cheap win: " + "; ".join(descriptors) + ".", ""]
    return lines


def p5_section(results: dict) -> list[str]:
    lines = []
    for vendor in ("sqlite", "postgresql"):
        worker = _worker(results, vendor)
        p5 = worker.get("p5") if worker else None
        if not p5:
            continue
        lines += [
            f"### P5: the full indicator report of one programme ({vendor})",
            "",
            "`reporting.selectors.indicator_report` as the programme admin reads it (every "
            "indicator: total, per partner and location, month by month) and "
            "`reporting.runs.compute` (the figures a generated report freezes); "
            f"{p5['large'].get('report', {}).get('n', 0)} calls each. *First of the day*: the "
            "report with none of its SQL compiled yet, as the first of a scope on a day is "
            "(later ones reuse it: `reporting/statements.py`).",
            "",
            "| dataset | cases | participants | events | attendance lines | queries | "
            "report p50 | report p95 | first of the day p50 | DB p95 | frozen run p50 | "
            "frozen run queries |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for size in ("small", "large"):
            r = p5[size]
            lines.append(
                f"| {size} | {r['cases']:,} | {r['participants']:,} | {r['events']:,} | "
                f"{r['attendees']:,} | {r['queries']} | {_ms(r['report']['p50_ms'])} ms | "
                f"{_ms(r['report']['p95_ms'])} ms | {_ms(r['first']['p50_ms'])} ms | "
                f"{_ms(r['db']['p95_ms'])} ms | "
                f"{_ms(r['compute']['p50_ms'])} ms | {r['compute_queries']} |"
            )
        large = p5["large"]
        if "seq_scans" in large:
            scans = ", ".join(large["seq_scans"]) or "none"
            lines += [
                "",
                f"PostgreSQL's own time for one report: {_ms(large['db_server_ms'])} ms; "
                f"sequential scans of more than 5,000 rows: {scans}.",
            ]
            for plan in large.get("slowest", [])[:2]:
                lines += [
                    "",
                    f"Slowest query ({_ms(plan['total_ms'])} ms):",
                    "",
                    "```",
                    plan["plan"],
                    "```",
                ]
        lines.append("")
    return lines
