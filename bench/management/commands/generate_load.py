"""``python manage.py generate_load --clients N``: programme-scale data, fast.

Writes ``N`` clients with one case each, in a realistic mix of stages, with everything the stages
imply (plans, goals, group sessions and attendance sheets, screenings, placements, follow-ups,
referrals), the Viewflow process and tasks of every case, notifications and ``--history`` history
rows (default 100 per case), plus audit chain heads and links when the audit app is installed.
New programmes, organisations and staff are created for the run (usernames ``b<tag>-o001-…``,
password ``bench-password``). See ``bench.dataset`` for how.

The rows go straight into the tables (COPY on PostgreSQL), bypassing the services, and the audit
chain links carry placeholder hashes: ``verify_audit`` fails on the result. For throwaway
databases only, so the command refuses to run with DEBUG off unless given ``--force``.
``manage.py bench`` uses the same generator in databases of its own.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench import dataset


class Command(BaseCommand):
    help = "Bulk-generate clients, cases, tasks and history for load tests (throwaway databases)."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, required=True, help="clients (one case each)")
        parser.add_argument(
            "--history",
            type=int,
            default=None,
            help=f"history rows in total (default {dataset.HISTORY_PER_CASE} per case)",
        )
        parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
        parser.add_argument("--tag", default=None, help="suffix of the generated names")
        parser.add_argument(
            "--ready",
            type=int,
            default=0,
            help="about this many extra cases ready to leave health screening",
        )
        parser.add_argument(
            "--force", action="store_true", help="run even with DEBUG off (never on real data)"
        )

    def handle(self, *args, clients, history, seed, tag, ready, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "generate_load writes unverifiable audit chains and a published password: it "
                "refuses to run with DEBUG off unless given --force (throwaway databases only)"
            )
        if clients < 1:
            raise CommandError("--clients must be at least 1")
        self.stdout.write(
            f"generating {clients:,} clients into {connection.vendor} "
            f"'{connection.settings_dict['NAME']}'"
        )
        summary = dataset.generate(
            clients=clients,
            history_rows=history,
            seed=seed,
            tag=tag,
            screening_ready=ready,
            log=self.stdout.write,
        )
        for table, count in sorted(summary.rows.items()):
            self.stdout.write(f"  {table:40} {count:>12,}")
        self.stdout.write(
            f"{summary.history_rows:,} history rows; tag {summary.tag}; "
            f"{summary.seconds['total']:.1f} s ("
            + ", ".join(f"{k} {v:.1f} s" for k, v in summary.seconds.items() if k != "total")
            + ")"
        )
