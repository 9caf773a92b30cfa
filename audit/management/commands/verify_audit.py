"""``python manage.py verify_audit``: walk every history table and every chain.

Exit status 0 when everything adds up, 1 when something does not; the first broken row (the
earliest written) is named first. Always prints the seal, one hash over every chain head: store
it, or the heads themselves (``--heads-file``), outside the database, and pass them back with
``--anchors`` later to prove nothing before them was rewritten, even by someone holding the
chain key.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from audit import chain, verify


class Command(BaseCommand):
    help = "Verify the tamper-evident chains of the history tables and print their heads."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--heads", action="store_true", help="print every chain head (key, length, hash)"
        )
        parser.add_argument(
            "--heads-file", type=Path, help="write every chain head and the seal to this file"
        )
        parser.add_argument(
            "--anchors", type=Path, help="a heads file written earlier: check it still holds"
        )
        parser.add_argument(
            "--max-problems", type=int, default=20, help="problems to list (default 20)"
        )
        parser.add_argument(
            "--adopt-unchained",
            action="store_true",
            help="first chain history rows that have no link (history older than the audit "
            "app); this also legitimises rows inserted behind the application's back",
        )

    def handle(self, *args, database, heads, heads_file, anchors, max_problems, **options):
        if options["adopt_unchained"]:
            adopted = chain.adopt_unchained(using=database)
            self.stdout.write(f"adopted {adopted} unchained history rows")
        anchored = None
        if anchors:
            try:
                anchored = verify.load_anchors(anchors.read_text())
            except (OSError, ValueError, KeyError) as error:
                raise CommandError(f"cannot read {anchors}: {error}") from error
        report = verify.verify(using=database, anchors=anchored)
        self.stdout.write(
            f"checked {report.rows} history rows, {report.links} links in {report.chains} "
            f"chains in {report.seconds:.2f} s"
        )
        if anchored is not None:
            self.stdout.write(f"checked {len(anchored)} anchored heads from {anchors}")
        if heads:
            self.stdout.write("chain heads (key, length, hash):")
            for key, seq, head_hash in verify.heads(using=database):
                self.stdout.write(f"  {key} {seq} {head_hash}")
        if heads_file:
            heads_file.write_text(json.dumps(verify.heads_document(using=database), indent=1))
            self.stdout.write(f"heads written to {heads_file}")
        self.stdout.write(f"seal: {report.seal}")
        if report.ok:
            self.stdout.write(self.style.SUCCESS("OK: every history row is in its chain, intact."))
            return
        first = report.first
        self.stdout.write(self.style.ERROR(f"BROKEN: {len(report.problems)} problem(s)."))
        self.stdout.write(self.style.ERROR(f"first broken row: {first.describe()}"))
        for problem in report.problems[:max_problems]:
            self.stdout.write(f"  - {problem.describe()}")
        if len(report.problems) > max_problems:
            self.stdout.write(f"  ... and {len(report.problems) - max_problems} more")
        if report.predating and report.predating == len(report.problems):
            self.stdout.write(
                f"All {report.predating} problems are rows older than the first chain link: "
                "history written before the audit app was installed. If so, run "
                "`verify_audit --adopt-unchained` once."
            )
        raise CommandError(f"audit trail broken at {first.model} history_id={first.history_id}")
