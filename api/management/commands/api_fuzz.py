"""Fuzz the API from its own OpenAPI schema: ``python manage.py api_fuzz --examples 1000``.

Runs ``tests/api/test_fuzz__schema.py`` in pytest, on a throw-away test database, with the given
number of generated requests per operation (the normal test suite sends 20). Needs the test
extras: ``pip install -e ".[test]"``. Prints one line per operation (requests and statuses),
then every failure found: a 5xx, a write on a rejected request, an undocumented status code or
body, or a request breaking the schema that was accepted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

TEST = Path("tests") / "api" / "test_fuzz__schema.py"


class Command(BaseCommand):
    help = "Send generated requests (schemathesis + hypothesis) to every API operation."

    def add_arguments(self, parser):
        parser.add_argument(
            "--examples", type=int, default=1000, help="requests per operation (default 1000)"
        )
        parser.add_argument(
            "--operations", default="", help='only operations whose "METHOD /path" contains this'
        )
        parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (default 0)")
        parser.add_argument(
            "--processes",
            type=int,
            default=os.cpu_count() or 1,
            help="pytest processes side by side, each on its own share of the operations and "
            "its own test database (default: one per core)",
        )

    def handle(self, *args, examples: int, operations: str, seed: int, processes: int, **options):
        base = Path(settings.BASE_DIR)
        if not (base / TEST).exists():
            raise CommandError(f"{TEST} not found under {base}: run from a source checkout.")
        if examples < 1:
            raise CommandError("--examples must be at least 1.")
        env = {
            **os.environ,
            "API_FUZZ_EXAMPLES": str(examples),
            "API_FUZZ_OPERATIONS": operations,
            "API_FUZZ_SEED": str(seed),
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)  # pytest uses config.settings.test
        command = [
            sys.executable,
            "-m",
            "pytest",
            str(TEST),
            "-q",
            "-rN",
            "-p",
            "no:cacheprovider",
            "--ds=config.settings.test",
            "--tb=short",
            "-o",
            "addopts=",
        ]
        processes = max(1, processes)
        self.stdout.write(
            f"{examples} generated requests per operation, {processes} processes; "
            "this takes a while."
        )
        self.stdout.flush()
        runs = [
            subprocess.Popen(
                command, cwd=base, env={**env, "API_FUZZ_SHARD": f"{shard}/{processes}"}
            )
            for shard in range(processes)
        ]
        codes = [run.wait() for run in runs]
        if any(codes):
            raise CommandError(f"fuzzing found failures (pytest exit codes {codes})")
        self.stdout.write(self.style.SUCCESS("No failure found."))
