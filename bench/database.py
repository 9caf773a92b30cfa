"""The benchmark's own throwaway database, on the server ``DATABASE_URL`` names.

Django's test-database machinery does the work: it creates the database (through the
``postgres`` maintenance database on PostgreSQL, as a file on SQLite), migrates it and points the
default connection at it; ``drop`` destroys it. The database named in ``DATABASE_URL`` itself is
never written.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.db import connection

MANIFEST_TABLE = "bench_manifest"


def create(name: str, *, keep: bool = False) -> tuple[str, bool]:
    """Create (or, with ``keep``, reuse) the database ``name`` and connect to it. Returns the
    original database name (for ``drop``) and whether an existing database was reused."""
    settings_dict = connection.settings_dict
    original = settings_dict["NAME"]
    if connection.vendor == "sqlite":
        name = str(Path(settings.BASE_DIR) / "var" / f"{name}.sqlite3")
    settings_dict.setdefault("TEST", {})
    settings_dict["TEST"]["NAME"] = name
    reused = keep and _exists(name)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=keep)
    return original, reused


def _exists(name: str) -> bool:
    if connection.vendor == "sqlite":
        return Path(name).exists()
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def drop(original: str) -> None:
    connection.creation.destroy_test_db(original, verbosity=0)


def save_manifest(data: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MANIFEST_TABLE} (name varchar(40) PRIMARY KEY, body text)"
        )
        cursor.execute(f"DELETE FROM {MANIFEST_TABLE} WHERE name = %s", ["dataset"])
        cursor.execute(
            f"INSERT INTO {MANIFEST_TABLE} (name, body) VALUES (%s, %s)",
            ["dataset", json.dumps(data)],
        )


def load_manifest() -> dict | None:
    if MANIFEST_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {MANIFEST_TABLE} WHERE name = %s", ["dataset"])
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None
