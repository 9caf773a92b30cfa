"""Attended minutes kept by the database per month and per day, so the hours indicators read a
few hundred rows instead of every attendance line (P5 and the indicator dashboard in
BENCHMARKS.md).

Why. Counselling and training hours are a sum over the attendance lines, each joined to its
session (day, kind, length), its case (programme, partner) and its client (settlement). At
programme scale that is 590,000 lines: most of the time of a full report, and the largest query
of a supervisor's dashboard. A sum adds up, so its value per (programme, partner, settlement,
month, kind) is all a report needs for the months that are over; ``AttendedMinutes`` keeps
exactly that, and ``AttendedDayMinutes`` the same per day, for the days of a month that is not
over (a report as of today, or as of any day that is not a month's last).

Why triggers, not the services. The figure depends on four tables: a line is added, corrected or
removed; a session's day, kind or length is corrected; a case moves to another partner or
programme; a client moves to another settlement (a line counts where the client lives now,
like every programme indicator). Services, the register import, erasure, data migrations and the
benchmark's bulk loader all write those tables; a kept figure that one of them forgot would be
wrong without anyone noticing. The database sees every write, so it keeps the figure in the
same transaction, like an index (and casework, a lower layer, never has to know about
reporting). The rule of the figure stays in one place: ``live_rows`` below is the reference the
triggers must agree with, and ``differences`` compares the two (``manage.py kept_figures``).

How. Each trigger adds or subtracts the lines it affects, grouped per kept row, with one
``INSERT ... ON CONFLICT DO UPDATE`` (ordered by the row's key, so two transactions lock kept
rows in the same order), then drops rows that no line counts in any more. Every trigger runs
once per statement, over the statement's rows as transition tables (``triggers``): a session's
whole sheet, or a bulk load's batch, is one change of the kept rows. An update that changed
none of the columns the figures read (a journey transition saving its case) stops at a guard.
Writers to the same partner, settlement, period and kind wait for each other's commit on that
kept row; attendance is recorded a session at a time, so that wait is short.

PostgreSQL only. The figures are for programme scale, which only PostgreSQL serves; on SQLite
(the laptop demo) the reports read the lines, and these tables stay empty. SQLite would also
refuse every later migration that rebuilds a table the triggers read.

After every ``migrate`` the triggers are checked (``apps.py``): when one is missing or disabled,
they are installed again and the kept rows rebuilt from the lines, since the figures may have
missed changes meanwhile. A change to a trigger's SQL needs a migration that calls ``install``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import TruncMonth


@dataclass(frozen=True)
class Grain:
    """One table of kept minutes: per month (``AttendedMinutes``: whole months, what reports
    mostly read) or per day (``AttendedDayMinutes``: the days of a month not over yet)."""

    table: str
    period: str  # the column: the month's first day, or the day

    def of(self, held_on: str) -> str:
        """The SQL of the period a session held on ``held_on`` counts in."""
        return f"date_trunc('month', {held_on})::date" if self.period == "month" else held_on

    @property
    def key(self) -> str:
        return f"programme_id, organisation_id, place, {self.period}, kind"


MONTHS = Grain("reporting_attendedminutes", "month")
DAYS = Grain("reporting_attendeddayminutes", "day")
GRAINS = (MONTHS, DAYS)


_JOINS = """JOIN casework_session s ON s.id = a.session_id
JOIN casework_case c ON c.id = a.case_id
JOIN casework_client cl ON cl.id = c.client_id"""


@dataclass(frozen=True)
class Lines:
    """Present attendance lines to add (``sign`` 1) or take away (-1): ``source`` is a FROM
    fragment with the lines as ``a`` (joined then to their session ``s``, case ``c`` and client
    ``cl``); the other fields replace a column with the value it had before a change."""

    sign: int
    source: str
    programme: str = "c.programme_id"
    organisation: str = "c.organisation_id"
    place: str = "cl.settlement"
    held_on: str = "s.held_on"
    kind: str = "s.kind"
    minutes: str = "s.duration_minutes"


def _change(*parts: Lines) -> list[str]:
    """One statement per grain that applies every part at once: the parts' lines are grouped
    per kept row, netted (a row whose change nets to nothing is not touched), and upserted in
    the order of their keys, so that two transactions changing the same kept rows lock them
    in the same order."""
    statements = []
    for grain in GRAINS:
        selects = "\nUNION ALL\n".join(
            f"SELECT {part.programme} AS programme_id, {part.organisation} AS organisation_id, "
            f"{part.place} AS place, {grain.of(part.held_on)} AS period, {part.kind} AS kind, "
            f"{part.sign} * {part.minutes} AS minutes, {part.sign} AS lines\n"
            f"FROM {part.source}\n{_JOINS}\nWHERE a.present"
            for part in parts
        )
        statements.append(f"""
INSERT INTO {grain.table} ({grain.key}, minutes, lines)
SELECT programme_id, organisation_id, place, period, kind, SUM(minutes), SUM(lines)
FROM ({selects}) AS change
GROUP BY 1, 2, 3, 4, 5
HAVING SUM(minutes) <> 0 OR SUM(lines) <> 0
ORDER BY 1, 2, 3, 4, 5
ON CONFLICT ({grain.key}) DO UPDATE
SET minutes = {grain.table}.minutes + excluded.minutes,
    lines = {grain.table}.lines + excluded.lines;
""")
    return statements


def _lock(*sources: str) -> list[str]:
    """Share-lock the sessions, cases and clients of the lines of ``sources`` before reading
    them: a concurrent move of one of them (a client's new settlement, a corrected session)
    then waits for this transaction's commit and sees its lines, or this waits for the move's
    commit and reads the moved values. Without it each would miss the other's change."""
    return [
        f"PERFORM 1 FROM {source}\n{_JOINS}\nORDER BY cl.id, c.id, s.id FOR SHARE OF s, c, cl;"
        for source in sources
    ]


# Kept rows no line counts in any more (a partial index finds them: ``KeptMinutes.Meta``). A
# row with no lines but some minutes is wrong, and stays for ``kept_figures --check`` to report.
_PRUNE = [f"DELETE FROM {grain.table} WHERE lines = 0 AND minutes = 0;" for grain in GRAINS]


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    # The CREATE TRIGGER clause between the name and EXECUTE FUNCTION.
    when: str
    # The function's statements, in groups (``_change`` and ``_PRUNE`` give one per grain).
    body: list[list[str]]
    # Run the body only when this holds (an update that changed what the figures read).
    guard: str = "TRUE"


# The columns of each table the kept figure reads.
LINE = ("present", "session_id", "case_id")
SESSION = ("held_on", "kind", "duration_minutes")
CASE = ("programme_id", "organisation_id", "client_id")
CLIENT = ("settlement",)


def _statement_update(table: str, old: str, new: str) -> str:
    return (
        f"AFTER UPDATE ON {table} REFERENCING OLD TABLE AS {old} NEW TABLE AS {new} "
        "FOR EACH STATEMENT"
    )


def triggers() -> list[Trigger]:
    """Every trigger runs once per statement, over the statement's rows as transition tables:
    a bulk change (an import, a data fix moving a thousand cases) is then one grouped change
    of the kept rows, not one per row, each making the same kept rows longer chains of row
    versions inside one transaction (a row trigger made moving 80,000 cases take minutes).

    An update is read as the rows whose columns that the figures read differ before and after
    it: ``(before EXCEPT after)`` their old values, ``(after EXCEPT before)`` their new ones.
    A set difference is hashed: a join of the two transition tables, which have no index,
    could be planned as a nested loop (34,000 rows: two minutes). An update that changed none
    of those columns (a journey transition saving its case) stops at the guard."""
    attendance = "casework_attendance a"
    changed_lines = _differing("old_lines", "new_lines", LINE)
    new_line_values = _differing("new_lines", "old_lines", LINE)
    return [
        Trigger(
            "reporting_kept_attendance_insert",
            "casework_attendance",
            "AFTER INSERT ON casework_attendance REFERENCING NEW TABLE AS new_lines "
            "FOR EACH STATEMENT",
            [_lock("new_lines a"), _change(Lines(1, "new_lines a"))],
        ),
        Trigger(
            "reporting_kept_attendance_delete",
            "casework_attendance",
            "AFTER DELETE ON casework_attendance REFERENCING OLD TABLE AS old_lines "
            "FOR EACH STATEMENT",
            [_lock("old_lines a"), _change(Lines(-1, "old_lines a")), _PRUNE],
        ),
        Trigger(
            "reporting_kept_attendance_update",
            "casework_attendance",
            _statement_update("casework_attendance", "old_lines", "new_lines"),
            [
                _lock(f"{changed_lines} a", f"{new_line_values} a"),
                _change(Lines(-1, f"{changed_lines} a"), Lines(1, f"{new_line_values} a")),
                _PRUNE,
            ],
            guard=_guard("old_lines", "new_lines", LINE),
        ),
        Trigger(
            "reporting_kept_attendance_truncate",
            "casework_attendance",
            "AFTER TRUNCATE ON casework_attendance FOR EACH STATEMENT",
            [[f"DELETE FROM {grain.table};" for grain in GRAINS]],
        ),
        Trigger(
            "reporting_kept_session_update",
            "casework_session",
            _statement_update("casework_session", "old_sessions", "new_sessions"),
            [
                _change(
                    Lines(
                        -1,
                        f"{attendance} JOIN {_differing('old_sessions', 'new_sessions', SESSION)} "
                        "o ON o.id = a.session_id",
                        held_on="o.held_on",
                        kind="o.kind",
                        minutes="o.duration_minutes",
                    ),
                    Lines(
                        1,
                        f"{attendance} JOIN {_differing('new_sessions', 'old_sessions', SESSION)} "
                        "n ON n.id = a.session_id",
                    ),
                ),
                _PRUNE,
            ],
            guard=_guard("old_sessions", "new_sessions", SESSION),
        ),
        Trigger(
            "reporting_kept_case_update",
            "casework_case",
            _statement_update("casework_case", "old_cases", "new_cases"),
            [
                _change(
                    Lines(
                        -1,
                        f"{attendance} JOIN {_differing('old_cases', 'new_cases', CASE)} "
                        "o ON o.id = a.case_id "
                        "JOIN casework_client old_client ON old_client.id = o.client_id",
                        programme="o.programme_id",
                        organisation="o.organisation_id",
                        place="old_client.settlement",
                    ),
                    Lines(
                        1,
                        f"{attendance} JOIN {_differing('new_cases', 'old_cases', CASE)} "
                        "n ON n.id = a.case_id",
                    ),
                ),
                _PRUNE,
            ],
            guard=_guard("old_cases", "new_cases", CASE),
        ),
        Trigger(
            "reporting_kept_client_update",
            "casework_client",
            _statement_update("casework_client", "old_clients", "new_clients"),
            [
                _change(
                    Lines(
                        -1,
                        f"{attendance} JOIN casework_case moved ON moved.id = a.case_id "
                        f"JOIN {_differing('old_clients', 'new_clients', CLIENT)} "
                        "o ON o.id = moved.client_id",
                        place="o.settlement",
                    ),
                    Lines(
                        1,
                        f"{attendance} JOIN casework_case moved ON moved.id = a.case_id "
                        f"JOIN {_differing('new_clients', 'old_clients', CLIENT)} "
                        "n ON n.id = moved.client_id",
                    ),
                ),
                _PRUNE,
            ],
            guard=_guard("old_clients", "new_clients", CLIENT),
        ),
    ]


def _differing(these: str, others: str, columns: tuple[str, ...]) -> str:
    """The rows of transition table ``these`` whose ``columns`` differ in ``others`` (NULLs
    compared as values), as a subquery with ``id`` and those columns."""
    listed = ", ".join(("id", *columns))
    return f"(SELECT {listed} FROM {these} EXCEPT SELECT {listed} FROM {others})"


def _guard(old: str, new: str, columns: tuple[str, ...]) -> str:
    """True when the statement changed one of ``columns`` in some row."""
    return f"EXISTS {_differing(old, new, columns)}"


def kept_on(using: str) -> bool:
    """Whether database ``using`` keeps the figures (PostgreSQL does)."""
    return connections[using].vendor == "postgresql"


def _create(trigger: Trigger) -> list[str]:
    body = "\n".join(statement for group in trigger.body for statement in group)
    return [
        f"CREATE OR REPLACE FUNCTION {trigger.name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\nIF {trigger.guard} THEN\n{body}\nEND IF;\nRETURN NULL;\nEND;\n$$;",
        f"DROP TRIGGER IF EXISTS {trigger.name} ON {trigger.table};",
        f"CREATE TRIGGER {trigger.name} {trigger.when} EXECUTE FUNCTION {trigger.name}();",
    ]


def installed(using: str = "default") -> set[str]:
    """The names of the kept-figure triggers the database has."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            # A disabled trigger (ALTER TABLE ... DISABLE TRIGGER, a restore with triggers off)
            # keeps nothing: it counts as missing.
            "SELECT tgname FROM pg_trigger "
            "WHERE NOT tgisinternal AND tgenabled <> 'D' AND tgname LIKE %s",
            ["reporting\\_kept\\_%"],
        )
        return {name for (name,) in cursor.fetchall()}


def expected() -> set[str]:
    return {trigger.name for trigger in triggers()}


def install(using: str = "default") -> None:
    """Create (or replace) every trigger; safe to run again."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for trigger in triggers():
            for statement in _create(trigger):
                cursor.execute(statement)


def uninstall(using: str = "default") -> None:
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for trigger in triggers():
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger.name} ON {trigger.table};")
            cursor.execute(f"DROP FUNCTION IF EXISTS {trigger.name}();")


def _model(grain: Grain):
    from .models import AttendedDayMinutes, AttendedMinutes  # the models import the registry

    return AttendedMinutes if grain is MONTHS else AttendedDayMinutes


def live_rows(grain: Grain, using: str = "default") -> QuerySet:
    """The kept rows of ``grain`` as the attendance lines give them now: the reference the
    triggers keep the table equal to (same columns: ``programme``, ``organisation``,
    ``place``, the period, ``kind``, ``minutes``, ``lines``)."""
    from casework.models import Attendance

    period = TruncMonth("session__held_on") if grain is MONTHS else F("session__held_on")
    return (
        Attendance.objects.using(using)
        .filter(present=True)
        .values(
            programme=F("case__programme"),
            organisation=F("case__organisation"),
            place=F("case__client__settlement"),
            kind=F("session__kind"),
            **{grain.period: period},
        )
        .annotate(minutes=Sum("session__duration_minutes"), lines=Count("id"))
        .order_by()
    )


def _as_key(grain: Grain, row: dict) -> tuple:
    period = row[grain.period]
    if isinstance(period, datetime.datetime):
        period = period.date()
    return (grain.period, row["programme"], row["organisation"], row["place"], period, row["kind"])


def differences(using: str = "default") -> list[tuple[tuple, tuple | None, tuple | None]]:
    """Every kept row that the lines disagree with: ``(key, (minutes, lines) kept, (minutes,
    lines) from the lines)``, the key starting with the grain ("month" or "day"), None where
    one side has no row. Empty when all is well."""
    found = []
    outermost = not connections[using].in_atomic_block
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        if outermost:
            # One snapshot for the lines and the kept rows of both grains: a sheet committed
            # between two reads would otherwise show as a difference.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for grain in GRAINS:
            found += _differences(grain, using)
    return found


def _differences(grain: Grain, using: str) -> list[tuple[tuple, tuple | None, tuple | None]]:
    live = {
        _as_key(grain, row): (int(row["minutes"]), row["lines"]) for row in live_rows(grain, using)
    }
    kept = {
        _as_key(grain, row): (int(row["minutes"]), row["lines"])
        for row in _model(grain)
        .objects.using(using)
        .values("programme", "organisation", "place", grain.period, "kind", "minutes", "lines")
    }
    return sorted(
        (key, kept.get(key), live.get(key))
        for key in kept.keys() | live.keys()
        if kept.get(key) != live.get(key)
    )


def rebuild(using: str = "default") -> None:
    """Replace every kept row with what the lines give (after a bulk load, or when a trigger
    was missing), with the triggers' own statements over every line."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        # Writers wait (their triggers upsert these tables) until the rebuilt rows commit; the
        # lines they add after this point are theirs to add, and none is counted twice.
        tables = ", ".join(grain.table for grain in GRAINS)
        cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        for grain in GRAINS:
            cursor.execute(f"DELETE FROM {grain.table}")
        for statement in _change(Lines(1, "casework_attendance a")):
            cursor.execute(statement)


def ensure(using: str = "default") -> bool:
    """On a database that keeps the figures, when a trigger is missing or disabled: install
    them all and rebuild the kept rows (the figures may have missed changes meanwhile). True
    when it did. Run after ``migrate``."""
    if not kept_on(using):
        return False
    if expected() <= installed(using):
        # Nothing to do, and no lock taken: installing takes an exclusive lock on four busy
        # tables. A change to a trigger's SQL comes with a migration that calls ``install``.
        return False
    install(using)
    rebuild(using)
    return True
