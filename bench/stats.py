"""Small measuring helpers: percentiles, a query counter with per-query timings."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager

from django.db import connection


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0–100) by linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary(values: list[float]) -> dict:
    """p50 / p95 / mean / max of ``values`` (seconds) in milliseconds."""
    return {
        "n": len(values),
        "p50_ms": percentile(values, 50) * 1000,
        "p95_ms": percentile(values, 95) * 1000,
        "mean_ms": (statistics.fmean(values) if values else 0.0) * 1000,
        "max_ms": (max(values) if values else 0.0) * 1000,
    }


def spread(per_run: list[float]) -> dict:
    """The median of several runs' figures and their spread (min–max)."""
    if not per_run:
        return {"median": 0.0, "min": 0.0, "max": 0.0, "runs": []}
    return {
        "median": statistics.median(per_run),
        "min": min(per_run),
        "max": max(per_run),
        "runs": [round(v, 3) for v in per_run],
    }


class QueryTimer:
    """Counts the queries run through Django's cursors and adds up their time (a cheap
    ``execute_wrapper``, unlike the debug cursor that ``CaptureQueriesContext`` switches on)."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


@contextmanager
def timed_queries():
    timer = QueryTimer()
    with connection.execute_wrapper(timer):
        yield timer


def best_of(fn: Callable[[], float], runs: int) -> list[float]:
    return [fn() for _ in range(runs)]
