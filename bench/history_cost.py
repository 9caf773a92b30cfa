"""P4: what history costs on a save.

The same ``Case.save()`` (acting user and change reason set, one transaction per save, as a
service does) in four variants, interleaved in rounds so that drift hits them alike:

- ``plain``: history switched off (``SIMPLE_HISTORY_ENABLED = False``): the UPDATE alone;
- ``history``: simple-history as released (a new manager class built on every save);
- ``history_cached``: with ``kernel.compat.simple_history_speedup`` (the class built once);
- ``history_audit``: the application as configured: cached history and, when the audit app is
  installed, its chain link on every history row.

The first three run with the audit app's chain receiver disconnected, so that they measure
simple-history alone.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from django.apps import apps
from django.db import transaction
from django.test.utils import override_settings
from simple_history.signals import post_create_historical_record

from casework.journey import Stage
from casework.models import Case
from kernel.compat import simple_history_speedup as history_speedup

from .stats import spread, summary

VARIANTS = ("plain", "history", "history_cached", "history_audit")


@contextmanager
def _audit_chain(enabled: bool):
    if not apps.is_installed("audit") or enabled:
        yield
        return
    from audit import chain

    post_create_historical_record.disconnect(dispatch_uid="audit.chain")
    try:
        yield
    finally:
        post_create_historical_record.connect(chain.on_history_row, dispatch_uid="audit.chain")


@contextmanager
def _variant(name: str):
    was_installed = history_speedup.installed()
    try:
        if name == "plain":
            with override_settings(SIMPLE_HISTORY_ENABLED=False), _audit_chain(False):
                yield
        elif name == "history":
            history_speedup.uninstall()
            with _audit_chain(False):
                yield
        elif name == "history_cached":
            history_speedup.install()
            with _audit_chain(False):
                yield
        else:
            history_speedup.install()
            with _audit_chain(True):
                yield
    finally:
        if was_installed:
            history_speedup.install()
        else:
            history_speedup.uninstall()


def _save(case: Case, user, n: int, *, commit: bool) -> float:
    case.closure_reason = f"note {n}"  # a real change: the same UPDATE every time
    case._history_user = user
    case._change_reason = "bench.save"
    started = time.perf_counter()
    if commit:
        with transaction.atomic():
            case.save()
    else:
        case.save()
    return time.perf_counter() - started


def _batch(cases, saves: int, *, commit: bool) -> list[float]:
    def one(n):
        case = cases[n % len(cases)]
        return _save(case, case.mentor, n, commit=commit)

    if commit:
        for n in range(10):  # warm-up
            one(n)
        return [one(n) for n in range(saves)]
    # Inside one open transaction: the save's own work, without a commit (and its disk
    # flush) per save. Rolled back, so the rows do not pile up.
    with transaction.atomic():
        for n in range(10):
            one(n)
        timings = [one(n) for n in range(saves)]
        transaction.set_rollback(True)
    return timings


def run(*, runs: int, saves: int, log=print) -> dict:
    """Every variant, each save committed on its own (``commit``) and inside one open
    transaction (``in_transaction``: the CPU and round-trip cost alone)."""
    cases = list(
        Case.objects.filter(stage=Stage.TRAINING).select_related("mentor").order_by("pk")[:20]
    )
    if not cases:
        raise RuntimeError("P4 needs cases in the training stage")
    modes = {"commit": True, "in_transaction": False}
    per: dict[str, dict[str, list[dict]]] = {
        mode: {name: [] for name in VARIANTS} for mode in modes
    }
    for r in range(runs):
        for mode, commit in modes.items():
            for name in VARIANTS:
                with _variant(name):
                    per[mode][name].append(summary(_batch(cases, saves, commit=commit)))
        log(
            f"  P4 run {r + 1}/{runs}: "
            + "; ".join(
                f"{mode}: "
                + ", ".join(f"{name} {per[mode][name][-1]['mean_ms']:.3f}" for name in VARIANTS)
                + " ms"
                for mode in modes
            )
        )
    result = {"runs": runs, "saves": saves, "modes": {}}
    for mode in modes:
        plain = [s["mean_ms"] for s in per[mode]["plain"]]
        variants = {}
        for name in VARIANTS:
            means = [s["mean_ms"] for s in per[mode][name]]
            variants[name] = {
                "p50_ms": spread([s["p50_ms"] for s in per[mode][name]]),
                "p95_ms": spread([s["p95_ms"] for s in per[mode][name]]),
                "mean_ms": spread(means),
                "ratio": spread([m / p for m, p in zip(means, plain, strict=True)]),
            }
        result["modes"][mode] = variants
    result["variants"] = result["modes"]["commit"]
    in_tx = result["modes"]["in_transaction"]
    result["speedup_us"] = (
        in_tx["history"]["mean_ms"]["median"] - in_tx["history_cached"]["mean_ms"]["median"]
    ) * 1000
    result["descriptor_us"] = descriptor_cost()
    return result


def descriptor_cost(loops: int = 20000) -> dict:
    """The cost of one ``instance.history`` access (what every tracked save does once), with
    and without the cached class, in microseconds."""
    case = Case.objects.order_by("pk").first()
    out = {}
    was_installed = history_speedup.installed()
    for name, install in (("released", False), ("cached", True)):
        (history_speedup.install if install else history_speedup.uninstall)()
        started = time.perf_counter()
        for _ in range(loops):
            case.history  # noqa: B018 - the access is what is measured
        out[name] = (time.perf_counter() - started) / loops * 1e6
    (history_speedup.install if was_installed else history_speedup.uninstall)()
    return out
