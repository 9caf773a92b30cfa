"""``python manage.py bench_import``: how long does importing a client register take?

Not a test: it prints timings. Works in a throwaway database (``bench.database``), created,
migrated and dropped by the command, on the server ``DATABASE_URL`` names (SQLite without it).

    DATABASE_URL=postgres://... manage.py bench_import --rows 10000
"""

from __future__ import annotations

import os
import time

from django.core.management.base import BaseCommand
from django.db import connection

from bench import database
from bench import register_import as bench


class Command(BaseCommand):
    help = "Benchmark the client register import (preview and confirmation)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--kinds", default="xlsx,csv", help="file kinds, comma-separated")
        parser.add_argument("--verify", action="store_true", help="also time verify_audit")

    def handle(self, *args, rows: int, kinds: str, verify: bool, **options):
        original, _reused = database.create(f"lepes_bench_import_{os.getpid()}")
        try:
            self.stdout.write(f"database: {connection.vendor}")
            for kind in kinds.split(","):
                bench.run(rows=rows, kind=kind.strip(), log=self.stdout.write)
            if verify:
                from audit import verify as audit_verify

                started = time.monotonic()
                report = audit_verify.verify()
                self.stdout.write(
                    f"verify_audit: {'ok' if report.ok else 'PROBLEMS'} in "
                    f"{time.monotonic() - started:.1f} s"
                )
        finally:
            database.drop(original)
