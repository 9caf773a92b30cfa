"""``python manage.py bench``: the benchmarks of BENCHMARKS.md, end to end.

Runs one worker process per database backend (SQLite always; PostgreSQL when ``--database-url``
or ``DATABASE_URL`` names one), each in a throwaway database of its own that it creates,
fills with ``bench.dataset`` and drops. Prints a table; the full run also rewrites the measured
part of BENCHMARKS.md.

- P1: one journey transition through the service layer, its queries, and the ratio to the
  raw-SQL limit of the same shape (both backends).
- P2: the pages staff use all day at 100 cases and at programme scale (100,000 clients and
  cases, 10,000,000 history rows): query counts (must not change), server and database time,
  and the plans of their slowest queries (PostgreSQL; on SQLite only with ``--quick``).
- P4: the cost of history on a save, before and after ``kernel.compat.simple_history_speedup``.

``--quick`` is the CI guard: small sizes, SQLite (plus PostgreSQL if given), a minute or so;
it exits non-zero when a page's query count differs between the small and the large dataset.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench import machine, report
from bench.runner import Plan

FULL = {"small": 100, "large": 100_000, "history": 10_000_000, "runs": 5}
QUICK = {"small": 100, "large": 1_000, "history": 100_000, "runs": 2}


class Command(BaseCommand):
    help = "Benchmarks at programme scale (P1 transition, P2 pages, P4 history); see BENCHMARKS.md."

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="small sizes, fails on growth")
        parser.add_argument(
            "--database-url",
            default=None,
            help="a PostgreSQL server to measure on (default: DATABASE_URL if it is one); the "
            "benchmark creates and drops its own database there",
        )
        parser.add_argument("--clients", type=int, help="clients and cases of the large dataset")
        parser.add_argument("--history", type=int, help="history rows of the large dataset")
        parser.add_argument("--runs", type=int, help="repetitions of every measurement")
        parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite worker")
        parser.add_argument(
            "--output",
            default=None,
            help="write the results into this Markdown file (default for a full run: "
            "BENCHMARKS.md; a quick run writes none)",
        )
        parser.add_argument("--json", default=None, help="also write the raw results here")
        parser.add_argument(
            "--keep-db", action="store_true", help="keep the benchmark databases (and reuse them)"
        )
        # Internal: one worker process.
        parser.add_argument("--worker", default=None, help=__import__("argparse").SUPPRESS)
        parser.add_argument("--result", default=None, help=__import__("argparse").SUPPRESS)

    def handle(self, *args, **options):
        if options["worker"]:
            return self.worker(options)
        return self.parent(options)

    # -- the parent: plan, run the workers, report ------------------------------------------

    def parent(self, options):
        started = time.monotonic()
        sizes = dict(QUICK if options["quick"] else FULL)
        for name in ("clients", "history", "runs"):
            if options[name]:
                sizes["large" if name == "clients" else name] = options[name]
        if options["clients"] and not options["history"]:
            sizes["history"] = options["clients"] * 100
        url = options["database_url"]
        if url is None:
            env = os.environ.get("DATABASE_URL", "")
            url = env if env.startswith(("postgres://", "postgresql://")) else None
        quick = options["quick"]
        facts = machine.describe()
        facts["load_start"] = machine.load()
        facts["speed_start"] = machine.speed()
        self.stdout.write(
            f"bench{' --quick' if quick else ''}: {facts['nproc']} cores, {facts['cpu']}, "
            f"load {facts['load_start'][0]:.2f}; PostgreSQL: {url or 'none given'}"
        )
        results: dict = {"machine": facts, "quick": quick, "sizes": sizes, "workers": {}}
        workers = []
        if not options["no_sqlite"]:
            sqlite_plan = Plan(
                quick=quick,
                small=sizes["small"],
                large=sizes["large"] if quick else 0,
                history=sizes["history"] if quick else 0,
                runs=sizes["runs"],
                transitions=20 if quick else 100,
                requests=5 if quick else 20,
                saves=50 if quick else 300,
                p2=quick,
                keep=options["keep_db"],
                p1_clients=1500,
            )
            workers.append(
                (
                    "sqlite",
                    "sqlite:///" + str(Path(settings.BASE_DIR) / "var" / "bench.sqlite3"),
                    sqlite_plan,
                )
            )
        if url:
            pg_plan = Plan(
                quick=quick,
                small=sizes["small"],
                large=sizes["large"],
                history=sizes["history"],
                runs=sizes["runs"],
                transitions=20 if quick else 100,
                requests=5 if quick else 20,
                saves=50 if quick else 300,
                p2=True,
                keep=options["keep_db"],
            )
            workers.append(("postgresql", url, pg_plan))
        if not workers:
            raise CommandError("nothing to run: --no-sqlite and no PostgreSQL URL")
        failed = False
        for vendor, worker_url, plan in workers:
            self.stdout.write(f"== {vendor} worker")
            outcome = self.start_worker(worker_url, plan)
            if outcome is None:
                failed = True
                results["workers"][vendor] = {"error": "the worker failed (see its output above)"}
            else:
                results["workers"][vendor] = outcome
        facts["load_end"] = machine.load()
        facts["speed_end"] = machine.speed()
        results["seconds"] = time.monotonic() - started
        growth = report.query_growth(results)
        unserved = report.not_served(results)
        self.stdout.write(report.table(results))
        if options["json"]:
            Path(options["json"]).write_text(json.dumps(results, indent=1, default=str))
        output = options["output"]
        if output is None and not quick:
            if "postgresql" in results["workers"]:
                output = str(Path(settings.BASE_DIR) / "BENCHMARKS.md")
            else:
                self.stdout.write(
                    "BENCHMARKS.md not written: its figures are PostgreSQL's (give --database-url, "
                    "or --output to write these)"
                )
        if output:
            report.write_markdown(results, Path(output))
            self.stdout.write(f"wrote {output}")
        self.stdout.write(f"bench took {results['seconds']:.0f} s")
        if growth:
            for line in growth:
                self.stderr.write(f"QUERY COUNT GROWS WITH DATA: {line}")
            failed = True
        for line in unserved:
            self.stderr.write(f"PAGE NOT SERVED: {line}")
        if failed or unserved:
            raise CommandError(
                "query counts grow with data size"
                if growth
                else "a page was not served"
                if unserved
                else "benchmark failed"
            )

    def start_worker(self, url: str, plan: Plan) -> dict | None:
        with tempfile.TemporaryDirectory() as tmp:
            result_path = Path(tmp) / "result.json"
            env = dict(os.environ)
            env.update(
                DATABASE_URL=url,
                DJANGO_SETTINGS_MODULE="bench.settings",
                PYTHONUNBUFFERED="1",
            )
            env.pop("REDIS_URL", None)  # the in-memory channel layer: no push leaves the process
            command = [
                sys.executable,
                str(Path(settings.BASE_DIR) / "manage.py"),
                "bench",
                "--worker",
                json.dumps(dataclasses.asdict(plan)),
                "--result",
                str(result_path),
            ]
            completed = subprocess.run(command, env=env, cwd=settings.BASE_DIR)
            if completed.returncode != 0 or not result_path.exists():
                return None
            return json.loads(result_path.read_text())

    # -- a worker: one backend ----------------------------------------------------------------

    def worker(self, options):
        from bench import runner

        plan = Plan(**json.loads(options["worker"]))

        def log(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        result = runner.run(plan, log=log)
        Path(options["result"]).write_text(json.dumps(result, default=str))
