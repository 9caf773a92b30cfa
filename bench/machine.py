"""Where the figures were measured: machine, load, versions."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import time
from importlib import metadata

PACKAGES = (
    "Django",
    "django-viewflow",
    "django-simple-history",
    "django-fsm-2",
    "channels",
    "daphne",
    "psycopg",
    "whitenoise",
)


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return ""


def cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.lower().startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib() -> float:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def os_name() -> str:
    for line in _read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip('"')
    return platform.platform()


def nproc() -> int:
    try:
        return int(subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout)
    except (OSError, ValueError, subprocess.CalledProcessError):
        return os.cpu_count() or 0


def load() -> tuple[float, float, float]:
    try:
        return os.getloadavg()
    except OSError:
        return (0.0, 0.0, 0.0)


def describe() -> dict:
    versions = {"Python": platform.python_version(), "SQLite": sqlite3.sqlite_version}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "nproc": nproc(),
        "cpu": cpu_model(),
        "memory_gib": round(memory_gib(), 1),
        "os": os_name(),
        "kernel": platform.release(),
        "versions": versions,
    }


def postgres_facts(cursor) -> dict:
    """The server's version and the settings that shape the figures."""
    cursor.execute("SHOW server_version")
    facts = {"version": cursor.fetchone()[0]}
    for name in (
        "fsync",
        "synchronous_commit",
        "shared_buffers",
        "work_mem",
        "maintenance_work_mem",
        "max_wal_size",
        "random_page_cost",
        "effective_cache_size",
    ):
        cursor.execute(f"SHOW {name}")
        facts[name] = cursor.fetchone()[0]
    return facts


def speed(repeats: int = 5) -> dict:
    """How fast this machine runs the kind of work the pages do, so that runs on different
    machines (or the same machine on a slower day) can be compared: the best of ``repeats``
    timings of a pure-Python loop and of compiling a case query with its joins 200 times
    (Django's ORM, no database). On the same nominal CPU these have differed by half between
    sessions; a run's figures scale with them."""
    from django.db import DEFAULT_DB_ALIAS

    from casework.models import Case

    def loop() -> None:
        total = 0
        for number in range(1_000_000):
            total += number

    def compile_queries() -> None:
        for number in range(200):
            query = (
                Case.objects.select_related("client", "programme", "organisation", "mentor")
                .filter(pk=number)
                .query
            )
            query.get_compiler(DEFAULT_DB_ALIAS).as_sql()

    figures = {}
    for name, work in (("python_loop_ms", loop), ("orm_compile_ms", compile_queries)):
        best = float("inf")
        for _repeat in range(repeats):
            started = time.perf_counter()
            work()
            best = min(best, time.perf_counter() - started)
        figures[name] = round(best * 1000, 1)
    return figures
