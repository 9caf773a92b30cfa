"""Writes whose result nobody reads, sent with the transaction's next write (PostgreSQL).

A transition ends with writes that return nothing the service uses: the audit link of a
history row (and its chain head moved on), Viewflow's "previous task" row, the task boxes' row
moved to the next task. Each used to be a round trip of its own. Inside a service
(``kernel.services.service``) on PostgreSQL, ``defer`` keeps such a statement and puts it, as
a data-modifying ``WITH``, in front of the next INSERT, UPDATE or DELETE the connection sends:
PostgreSQL runs both in one round trip and one snapshot.

What keeps the order of effects the same as sending each statement at once:
- a statement that names a table a pending write touches (a read of the chain head, a second
  link) sends the pending writes first, on their own;
- so does every savepoint statement (a rolled-back savepoint must not lose or keep a write
  made before it), a statement run for many parameter sets, and one with named parameters;
- two pending writes never touch the same table (the first is sent before the second is kept),
  since PostgreSQL leaves undefined which of two changes of one row in a statement wins;
- the service sends whatever is still pending before its transaction commits
  (``flush_all``), and drops it when the transaction fails (``discard_all``).

SQLite has no data-modifying ``WITH``: there, and outside a service, ``defer`` runs the
statement at once. Django's query log (``CaptureQueriesContext``) lists the carrying statement
only: a carried write is not a query of its own, which is the point.
"""

from __future__ import annotations

from django.db import connections

_ATTRIBUTE = "_lepes_deferred_writes"
_CARRIERS = ("INSERT", "UPDATE", "DELETE", "WITH ")


class _Pending:
    def __init__(self, connection):
        self.connection = connection
        self.writes: list[tuple[str, list, frozenset[str]]] = []

    def tables(self) -> set[str]:
        return {table for _, _, tables in self.writes for table in tables}

    def statement(self) -> tuple[str, list]:
        """The pending writes as ``WITH`` items, and their parameters in order."""
        items, params = [], []
        for number, (sql, values, _) in enumerate(self.writes):
            items.append(f"_deferred_{number} AS ({sql})")
            params.extend(values)
        return ", ".join(items), params

    def send(self) -> None:
        if not self.writes:
            return
        items, params = self.statement()
        self.writes = []
        self._uninstall()
        with self.connection.cursor() as cursor:
            cursor.execute(f"WITH {items} SELECT 1", params)

    def _uninstall(self) -> None:
        if self in self.connection.execute_wrappers:
            self.connection.execute_wrappers.remove(self)

    def discard(self) -> None:
        self.writes = []
        self._uninstall()

    def __call__(self, execute, sql, params, many, context):
        """The connection's execute wrapper while writes are pending."""
        if not self.writes:
            return execute(sql, params, many, context)
        head = sql.lstrip()[:16].upper()
        carries = (
            not many
            and head.startswith(_CARRIERS)
            and not head.startswith("WITH RECURSIVE")
            and (params is None or isinstance(params, list | tuple))
        )
        if head.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")) or _names_any(
            sql, self.tables(), self.connection
        ):
            self.send()
            return execute(sql, params, many, context)
        if not carries:
            return execute(sql, params, many, context)
        items, values = self.statement()
        self.writes = []
        self._uninstall()
        body = sql.lstrip()
        if body[:5].upper() == "WITH ":
            combined = f"WITH {items}, {body[5:]}"
        else:
            combined = f"WITH {items} {body}"
        return execute(combined, [*values, *(params or ())], many, context)


def _names_any(sql: str, tables: set[str], connection) -> bool:
    quote = connection.ops.quote_name
    return any(quote(table) in sql for table in tables)


def _pending(connection, *, create: bool) -> _Pending | None:
    pending = getattr(connection, _ATTRIBUTE, None)
    if pending is None and create:
        pending = _Pending(connection)
        setattr(connection, _ATTRIBUTE, pending)
    return pending


def defer(*statements: tuple[str, list], tables: set[str], using: str = "default") -> None:
    """Send ``statements`` (writes that return nothing anyone reads; ``%s`` parameters; none
    a ``WITH`` itself) with the connection's next write, or now where that is not possible.
    ``tables``: every table they write or read. Statements deferred together may touch the
    same table, never the same row."""
    from .services import in_service  # services imports this module

    connection = connections[using]
    if connection.vendor != "postgresql" or not connection.in_atomic_block or not in_service():
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
        return
    pending = _pending(connection, create=True)
    if pending.tables() & set(tables):
        pending.send()
    if not pending.writes and pending not in connection.execute_wrappers:
        # Outermost: ``connection.execute_wrapper()`` contexts pop the last wrapper on exit,
        # which must stay theirs whenever this one comes and goes.
        connection.execute_wrappers.insert(0, pending)
    for sql, params in statements:
        pending.writes.append((sql, list(params), frozenset(tables)))


def flush_all() -> None:
    """Send what is still pending (a service, before its transaction commits)."""
    for connection in connections.all(initialized_only=True):
        pending = _pending(connection, create=False)
        if pending is not None:
            pending.send()


def discard_all() -> None:
    """Forget what is pending (its transaction is rolling back)."""
    for connection in connections.all(initialized_only=True):
        pending = _pending(connection, create=False)
        if pending is not None:
            pending.discard()
