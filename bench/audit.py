"""Synthetic history in bulk, for the benchmark (``manage.py bench_audit``) and for tests that
need a long history fast.

Rows are bulk-inserted straight into the history tables, with their chain links computed the
way ``audit.chain.append`` computes them, so ``verify_audit`` passes on the result. This
bypasses the services on purpose and must never run against real data: ``bench_audit`` works
in a throwaway database.
"""

from __future__ import annotations

import datetime
import json
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import connections, models, transaction
from django.db.models import Max
from django.utils import timezone

from audit import chain, registry
from audit.models import ChainHead, ChainLink

BATCH = 2000


@dataclass
class Template:
    """One tracked object to grow: its newest history row and how each new row differs."""

    label: str
    row: dict
    mutate: Callable[[dict, int], None]
    reason: str


# How a synthetic change looks, per model: a harmless field that varies with n.
MUTATIONS: dict[str, tuple[Callable[[dict, int], None], str]] = {
    "casework.client": (lambda r, n: r.__setitem__("phone", f"+36 30 {n:07d}"), "client.update"),
    "casework.case": (
        lambda r, n: r.__setitem__("consent_given_on", datetime.date(2025, 1, 1 + n % 28)),
        "case.record_consent",
    ),
    "casework.developmentplan": (
        lambda r, n: r.__setitem__("review_comment", f"Comment {n}"),
        "plan.update",
    ),
    "casework.goal": (lambda r, n: r.__setitem__("achieved", bool(n % 2)), "goal.mark_achieved"),
    "casework.attendance": (
        lambda r, n: r.__setitem__("present", bool(n % 2)),
        "attendance.correct",
    ),
    "casework.session": (lambda r, n: r.__setitem__("topic", f"Topic {n}"), "session.record"),
    "casework.healthscreening": (
        lambda r, n: r.__setitem__("screened_on", datetime.date(2025, 2, 1 + n % 28)),
        "screening.record",
    ),
    "casework.placement": (
        lambda r, n: r.__setitem__("employer", f"Employer {n}"),
        "placement.record",
    ),
    "casework.followup": (
        lambda r, n: r.__setitem__("notes", f"Called, note {n}"),
        "follow_up.record",
    ),
    "casework.referral": (lambda r, n: r.__setitem__("answer", f"Answer {n}"), "referral.answer"),
}


def templates_for_case(case) -> list[Template]:
    """The newest history row of the case and of every record of its timeline."""
    from casework.models import Attendance

    session_ids = list(
        Attendance.history.filter(case_id=case.pk).values_list("session_id", flat=True)
    )
    wanted = {
        "casework.case": {"id": case.pk},
        "casework.client": {"id": case.client_id},
        "casework.developmentplan": {"case_id": case.pk},
        "casework.attendance": {"case_id": case.pk},
        "casework.session": {"id__in": session_ids},
        "casework.healthscreening": {"case_id": case.pk},
        "casework.placement": {"case_id": case.pk},
        "casework.followup": {"case_id": case.pk},
        "casework.referral": {"case_id": case.pk},
    }
    plan_ids = list(
        registry.history_model(registry.BY_LABEL["casework.developmentplan"].model)
        .objects.filter(case_id=case.pk)
        .values_list("id", flat=True)
        .distinct()
    )
    wanted["casework.goal"] = {"plan_id__in": plan_ids}
    templates = []
    for label, lookup in wanted.items():
        history = registry.history_model(registry.BY_LABEL[label].model)
        newest: dict[int, dict] = {}
        for row in history.objects.filter(**lookup).order_by("history_id").values():
            newest[row["id"]] = row
        mutate, reason = MUTATIONS[label]
        templates.extend(Template(label, row, mutate, reason) for row in newest.values())
    return templates


def grow(
    templates: Sequence[Template],
    *,
    count: int,
    user_ids: Sequence[int],
    start: datetime.datetime | None = None,
    step: datetime.timedelta = datetime.timedelta(milliseconds=1),
    using: str = "default",
) -> int:
    """Append ``count`` changes, round-robin over ``templates``, one ``step`` apart."""
    moment = start or timezone.now()
    written = 0
    while written < count:
        size = min(BATCH, count - written)
        rows = []
        for n in range(written, written + size):
            template = templates[n % len(templates)]
            row = dict(template.row)
            template.mutate(row, n)
            row.update(
                history_id=None,
                history_date=moment + step * n,
                history_type="~",
                history_user_id=user_ids[n % len(user_ids)],
                history_change_reason=template.reason,
            )
            rows.append((template.label, row))
        insert(rows, using=using)
        written += size
    return written


def insert(rows: Iterable[tuple[str, dict]], *, using: str = "default") -> None:
    """Bulk-insert history rows (``history_id`` None) and chain them, in the given order.

    Plain ``executemany`` with ids assigned here (the benchmark database has no other writer):
    about five times faster than ``bulk_create``, which matters at a million rows."""
    rows = list(rows)
    by_label: dict[str, list[dict]] = {}
    for label, row in rows:
        by_label.setdefault(label, []).append(row)
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for label, group in by_label.items():
            history = registry.history_model(registry.BY_LABEL[label].model)
            last = history.objects.using(using).aggregate(last=Max("history_id"))["last"] or 0
            for offset, row in enumerate(group, start=1):
                row["history_id"] = last + offset
            _execute_many(cursor, history, group, connection)
        _chain(rows, using=using, cursor=cursor, connection=connection)
        _reset_sequences([history_for(label) for label in by_label], connection, cursor)


def history_for(label: str):
    return registry.history_model(registry.BY_LABEL[label].model)


def _adapter(field, connection):
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else json.dumps(value)
    return None


def _execute_many(cursor, model, rows: list[dict], connection, fields=None) -> None:
    fields = fields or [f for f in model._meta.concrete_fields]
    adapters = [_adapter(f, connection) for f in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    params = [
        [
            adapt(row.get(f.attname)) if adapt else row.get(f.attname)
            for f, adapt in zip(fields, adapters, strict=True)
        ]
        for row in rows
    ]
    for start in range(0, len(params), BATCH):
        cursor.executemany(sql, params[start : start + BATCH])


def _reset_sequences(models_, connection, cursor) -> None:
    from django.core.management.color import no_style

    for statement in connection.ops.sequence_reset_sql(no_style(), models_):
        cursor.execute(statement)


def _chain(rows: list[tuple[str, dict]], *, using: str, cursor, connection) -> None:
    scopes = []
    for label, row in rows:
        scopes.append(registry.scope_for(label, row.__getitem__, using=using))
    keys = {scope.key for scope in scopes}
    heads = {head.key: head for head in ChainHead.objects.using(using).filter(key__in=keys)}
    missing = []
    for (label, row), scope in zip(rows, scopes, strict=True):
        if scope.key in heads:
            continue
        head = ChainHead(
            key=scope.key,
            case_id=scope.case_id,
            client_id=scope.client_id,
            organisation_id=scope.organisation_id,
        )
        if scope.is_case_chain:
            facts = chain._case_facts(scope.case_id, label=label, values=row, using=using)
            for name, value in facts.items():
                setattr(head, name, value)
        heads[scope.key] = head
        missing.append(head)
    ChainHead.objects.using(using).bulk_create(missing, batch_size=BATCH)
    if missing and missing[0].pk is None:  # a backend that does not return ids
        fresh = ChainHead.objects.using(using).filter(key__in=[h.key for h in missing])
        for head in fresh:
            heads[head.key].pk = head.pk
    links = []
    for (label, row), scope in zip(rows, scopes, strict=True):
        head = heads[scope.key]
        history = registry.history_model(registry.BY_LABEL[label].model)
        schema = chain.schema_of(history)
        tracked = registry.BY_LABEL[label].model
        salts = {
            name: secrets.token_hex(16)
            for name in registry.personal_fields(tracked)
            if name in schema.fields
        }
        digest = chain.row_digest(
            schema.model, schema.fields, chain.fields_by_attname(history), row, salts
        )
        if label == registry.CASE:
            head.stage = row["stage"]
        head.seq += 1
        head.hash = chain.link_hash(head.key, head.seq, head.hash, digest)
        links.append(
            {
                "head_id": head.pk,
                "seq": head.seq,
                "model": label,
                "history_id": row["history_id"],
                "object_id": row["id"],
                "history_type": row["history_type"],
                "history_date": row["history_date"],
                "user_id": row.get("history_user_id"),
                "case_id": head.case_id,
                "client_id": head.client_id,
                "organisation_id": head.organisation_id,
                "stage": head.stage,
                "reason_code": chain.reason_code(row.get("history_change_reason") or ""),
                "schema": schema.digest,
                "digest": digest,
                "hash": head.hash,
                "salts": salts,
            }
        )
    fields = [f for f in ChainLink._meta.concrete_fields if f.attname != "id"]
    _execute_many(cursor, ChainLink, links, connection, fields=fields)
    ChainHead.objects.using(using).bulk_update(
        list(heads.values()), ["seq", "hash", "stage"], batch_size=BATCH
    )


def synthetic_cases(
    *,
    organisation,
    programme,
    social_worker,
    user_ids: Sequence[int],
    cases: int,
    rows_per_case: int,
    start: datetime.datetime | None = None,
    using: str = "default",
) -> int:
    """``cases`` clients and cases of ``organisation`` (live rows, bulk-inserted), each with
    ``rows_per_case`` history rows: its client and case created, then stage changes and client
    edits. Returns the number of history rows written."""
    from casework.journey import Stage
    from casework.models import Case, Client

    moment = start or timezone.now()
    stages = Stage.journey()
    prefix = f"SYNTH-{timezone.now():%H%M%S%f}"
    clients = Client.objects.using(using).bulk_create(
        [
            Client(organisation=organisation, family_name=f"Bench{n:06d}", given_name="Client")
            for n in range(cases)
        ],
        batch_size=BATCH,
    )
    live = Case.objects.using(using).bulk_create(
        [
            Case(
                number=f"{prefix}/{n:06d}",
                client=client,
                programme=programme,
                organisation=organisation,
                social_worker=social_worker,
            )
            for n, client in enumerate(clients)
        ],
        batch_size=BATCH,
    )
    client_history = registry.history_model(Client)
    case_history = registry.history_model(Case)
    client_columns = [f.attname for f in client_history._meta.concrete_fields]
    case_columns = [f.attname for f in case_history._meta.concrete_fields]

    def base(obj, columns):
        values = {name: getattr(obj, name) for name in columns if hasattr(obj, name)}
        return {name: values.get(name) for name in columns}

    written = 0
    pending: list[tuple[str, dict]] = []
    tick = 0
    for client, case in zip(clients, live, strict=True):
        client_row = base(client, client_columns)
        case_row = base(case, case_columns)
        for n in range(rows_per_case):
            if n == 0:
                label, row, kind, reason = registry.CLIENT, dict(client_row), "+", "client.register"
            elif n == 1:
                label, row, kind, reason = registry.CASE, dict(case_row), "+", "case.open"
            elif n % 2 == 0:
                case_row["stage"] = stages[(n // 2) % (len(stages) - 1)]
                label, row, kind, reason = registry.CASE, dict(case_row), "~", "case.advance"
            else:
                client_row["phone"] = f"+36 20 {n:07d}"
                label, row, kind, reason = registry.CLIENT, dict(client_row), "~", "client.update"
            row.update(
                history_id=None,
                history_date=moment + datetime.timedelta(milliseconds=tick),
                history_type=kind,
                history_user_id=user_ids[tick % len(user_ids)],
                history_change_reason=reason,
            )
            tick += 1
            pending.append((label, row))
        if len(pending) >= BATCH:
            insert(pending, using=using)
            written += len(pending)
            pending = []
    if pending:
        insert(pending, using=using)
        written += len(pending)
    return written
