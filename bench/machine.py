"""Where the figures were measured: machine, load, versions."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
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
