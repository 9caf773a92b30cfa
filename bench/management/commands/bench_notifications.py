"""Benchmark the live notifications (not a test): commit-to-socket latency p50/p95 and the time
one event takes to reach N sockets, on the in-memory layer and, with a Redis URL, on Redis.

    .venv/bin/python manage.py bench_notifications
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python manage.py bench_notifications

Loopback only (an in-process daphne on 127.0.0.1), bounded in count and time; it writes a
throwaway user and its notifications to the configured database and deletes them afterwards.
"""

import os

from django.core.management.base import BaseCommand, CommandError

from bench import notifications as benchmark


class Command(BaseCommand):
    help = "Measure commit-to-socket latency and fan-out of live notifications (loopback)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--samples",
            type=int,
            default=200,
            help=f"notifications for the latency figure (max {benchmark.MAX_SAMPLES})",
        )
        parser.add_argument(
            "--sockets",
            type=int,
            default=200,
            help=f"sockets for the fan-out figure (max {benchmark.MAX_SOCKETS})",
        )
        parser.add_argument("--rounds", type=int, default=5, help="fan-out rounds (max 20)")
        parser.add_argument(
            "--timeout", type=float, default=120, help="seconds allowed per channel layer (max 600)"
        )
        parser.add_argument(
            "--redis",
            default=os.environ.get("REDIS_URL") or os.environ.get("TEST_REDIS_URL") or "",
            help="Redis URL for the second run (default: $REDIS_URL or $TEST_REDIS_URL)",
        )

    def handle(self, *args, samples, sockets, rounds, timeout, redis, **options):
        try:
            results = benchmark.run(
                redis_url=redis or None,
                samples=samples,
                sockets=sockets,
                rounds=max(1, min(rounds, 20)),
                timeout=max(1.0, min(timeout, 600.0)),
                write=self.stdout.write,
            )
        except TimeoutError as error:
            raise CommandError("the benchmark ran out of time") from error
        for figures in results:
            for line in figures.lines():
                self.stdout.write(line)
        if not redis:
            self.stdout.write(
                "(no Redis URL given: set REDIS_URL or pass --redis for the Redis run)"
            )
