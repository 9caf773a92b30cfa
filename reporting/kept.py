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
(the laptop demo) the reports read the lines, and this table stays empty. SQLite would also
refuse every later migration that rebuilds a table the triggers read.

After every ``migrate`` the triggers are installed again (``apps.py``), and the kept rows
rebuilt from the lines when one was missing: the figures may have missed changes meanwhile.
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


def _change(
    *,
    sign: int,
    lines: str,
    where: str,
    programme: str = "c.programme_id",
    organisation: str = "c.organisation_id",
    place: str = "cl.settlement",
    held_on: str = "s.held_on",
    kind: str = "s.kind",
    minutes: str = "s.duration_minutes",
) -> list[str]:
    """The statements that add (``sign`` 1) or subtract (-1) the present lines of ``lines``
    (an attendance table or transition table, aliased ``a``, joined to its session ``s``, case
    ``c`` and client ``cl``) that meet ``where``, one per grain; the keyword arguments replace a
    column with the value it had before a change."""
    return [
        f"""
INSERT INTO {grain.table} ({grain.key}, minutes, lines)
SELECT {programme}, {organisation}, {place}, {grain.of(held_on)}, {kind},
       {sign} * SUM({minutes}), {sign} * COUNT(*)
FROM {lines}
JOIN casework_session s ON s.id = a.session_id
JOIN casework_case c ON c.id = a.case_id
JOIN casework_client cl ON cl.id = c.client_id
WHERE a.present AND ({where})
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4, 5
ON CONFLICT ({grain.key}) DO UPDATE
SET minutes = {grain.table}.minutes + excluded.minutes,
    lines = {grain.table}.lines + excluded.lines;
"""
        for grain in GRAINS
    ]


# Kept rows no line counts in any more (a partial index finds them: ``KeptMinutes.Meta``).
_PRUNE = [f"DELETE FROM {grain.table} WHERE lines = 0;" for grain in GRAINS]


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
    return [
        Trigger(
            "reporting_kept_attendance_insert",
            "casework_attendance",
            "AFTER INSERT ON casework_attendance REFERENCING NEW TABLE AS new_lines "
            "FOR EACH STATEMENT",
            [_change(sign=1, lines="new_lines a", where="TRUE")],
        ),
        Trigger(
            "reporting_kept_attendance_delete",
            "casework_attendance",
            "AFTER DELETE ON casework_attendance REFERENCING OLD TABLE AS old_lines "
            "FOR EACH STATEMENT",
            [_change(sign=-1, lines="old_lines a", where="TRUE"), _PRUNE],
        ),
        Trigger(
            "reporting_kept_attendance_update",
            "casework_attendance",
            _statement_update("casework_attendance", "old_lines", "new_lines"),
            [
                _change(
                    sign=-1, lines=f"{_differing('old_lines', 'new_lines', LINE)} a", where="TRUE"
                ),
                _change(
                    sign=1, lines=f"{_differing('new_lines', 'old_lines', LINE)} a", where="TRUE"
                ),
                _PRUNE,
            ],
            guard=_guard("old_lines", "new_lines", LINE),
        ),
        Trigger(
            "reporting_kept_session_update",
            "casework_session",
            _statement_update("casework_session", "old_sessions", "new_sessions"),
            [
                _change(
                    sign=-1,
                    lines=(
                        f"{attendance} JOIN {_differing('old_sessions', 'new_sessions', SESSION)} "
                        "o ON o.id = a.session_id"
                    ),
                    where="TRUE",
                    held_on="o.held_on",
                    kind="o.kind",
                    minutes="o.duration_minutes",
                ),
                _change(
                    sign=1,
                    lines=(
                        f"{attendance} JOIN {_differing('new_sessions', 'old_sessions', SESSION)} "
                        "n ON n.id = a.session_id"
                    ),
                    where="TRUE",
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
                    sign=-1,
                    lines=(
                        f"{attendance} JOIN {_differing('old_cases', 'new_cases', CASE)} "
                        "o ON o.id = a.case_id "
                        "JOIN casework_client old_client ON old_client.id = o.client_id"
                    ),
                    where="TRUE",
                    programme="o.programme_id",
                    organisation="o.organisation_id",
                    place="old_client.settlement",
                ),
                _change(
                    sign=1,
                    lines=(
                        f"{attendance} JOIN {_differing('new_cases', 'old_cases', CASE)} "
                        "n ON n.id = a.case_id"
                    ),
                    where="TRUE",
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
                    sign=-1,
                    lines=(
                        f"{attendance} JOIN casework_case moved ON moved.id = a.case_id "
                        f"JOIN {_differing('old_clients', 'new_clients', CLIENT)} "
                        "o ON o.id = moved.client_id"
                    ),
                    where="TRUE",
                    place="o.settlement",
                ),
                _change(
                    sign=1,
                    lines=(
                        f"{attendance} JOIN casework_case moved ON moved.id = a.case_id "
                        f"JOIN {_differing('new_clients', 'old_clients', CLIENT)} "
                        "n ON n.id = moved.client_id"
                    ),
                    where="TRUE",
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
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s",
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
    for grain in GRAINS:
        live = {
            _as_key(grain, row): (int(row["minutes"]), row["lines"])
            for row in live_rows(grain, using)
        }
        kept = {
            _as_key(grain, row): (int(row["minutes"]), row["lines"])
            for row in _model(grain)
            .objects.using(using)
            .values("programme", "organisation", "place", grain.period, "kind", "minutes", "lines")
        }
        found += sorted(
            (key, kept.get(key), live.get(key))
            for key in kept.keys() | live.keys()
            if kept.get(key) != live.get(key)
        )
    return found


def rebuild(using: str = "default") -> None:
    """Replace every kept row with what the lines give (after a bulk load, or when a trigger
    was missing), with the triggers' own statements over every line."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for grain in GRAINS:
            cursor.execute(f"DELETE FROM {grain.table}")
        for statement in _change(sign=1, lines="casework_attendance a", where="TRUE"):
            cursor.execute(statement)


def ensure(using: str = "default") -> bool:
    """Install the triggers on a database that keeps the figures; when one was missing, rebuild
    the kept rows too (the figures may have missed changes while it was). True when a rebuild
    was needed. Run after ``migrate``."""
    if not kept_on(using):
        return False
    missing = expected() - installed(using)
    install(using)
    if missing:
        rebuild(using)
    return bool(missing)
