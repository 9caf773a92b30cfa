"""Tamper evidence for every simple-history row: hash chains with salted commitments.

Design (docs/audit.md has the longer version):

* **Where.** ``on_history_row`` runs on simple-history's ``post_create_historical_record``
  signal, inside the writer's transaction: the history row and its ``ChainLink`` commit or roll
  back together.
* **Which chain.** One chain per case (the case and every record attached to it: plan, goals,
  attendance, screening, placement, follow-ups, referrals, review sign-offs), one per client, one
  per session and one per other tracked object. Appending locks the chain's ``ChainHead`` row
  (``select_for_update``), so writers of one case queue (they already do, on the case row) and
  writers of different cases never wait for each other. There is no global lock.
* **What is hashed.** A canonical JSON of the history row: every column (history id, date, type,
  user, reason and the tracked fields), each value in a fixed text form. Personal fields (the
  client's identity and situation, free texts, the change reason) are not hashed as values but
  as *commitments*: ``sha256(salt || value)`` with a random 128-bit salt per field and row, kept
  in the link. ``digest = sha256(canonical JSON)``.
* **The chain.** ``hash = HMAC-SHA256(K, chain key, seq, previous hash, digest)``; the first link
  of a chain follows ``GENESIS``. ``K`` comes from ``settings.AUDIT_CHAIN_KEY`` (or the
  ``AUDIT_CHAIN_KEY`` environment variable), else it is derived from ``SECRET_KEY``: someone who
  can write to the database but not read the server's settings cannot re-seal an edited chain.
  Someone who can do both is caught by the heads ``verify_audit`` prints, stored elsewhere.
* **Erasure.** A lawful erasure (``audit.erasure``) overwrites a personal value in the history
  row and replaces its salt in the link by the commitment itself. The digest is unchanged, so
  the chain still verifies; without the salt, the commitment no longer reveals the value (a
  birth year could otherwise be found by trying a hundred candidates).
* **Schema.** The digest covers the columns listed in the link's ``ChainSchema``; a field added
  to a tracked model later leaves older links verifiable.

History written in bulk through ``kernel.services.bulk_create_with_history`` (an import of a
client register) is chained by ``on_bulk_history``, on the ``bulk_history_created`` signal that
helper sends: the same links, in a few INSERTs. Rows written without either signal
(simple-history's own bulk helpers, raw SQL) have no link: ``verify_audit`` reports them, and
``adopt_unchained`` chains them when that is legitimate (a database that had history before
this app was installed).
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import hmac
import json
import os
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import Exists, OuterRef

from kernel import deferred_writes

from . import registry
from .models import ChainHead, ChainLink, ChainSchema

FORMAT = "lepes-audit/1"


# --------------------------------------------------------------------------------------------
# Canonical form
# --------------------------------------------------------------------------------------------


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value) -> bytes:
    return _ENCODER.encode(value).encode()


def canonical_value(field: models.Field, value):
    """A JSON-able, type-stable form of ``value``: the same whether it comes from the object
    being saved or from the row read back from SQLite or PostgreSQL."""
    if value is None:
        return None
    return _converter(field)(value)


@cache
def _converter(field: models.Field):
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: json.loads(json.dumps(value, cls=encoder))
    if isinstance(field, models.DateTimeField):
        return lambda value: _datetime(field.to_python(value))
    if isinstance(field, models.DateField):
        return lambda value: _plain(field.to_python(value))
    if isinstance(field, models.BooleanField):
        return lambda value: value if isinstance(value, bool) else field.to_python(value)
    if isinstance(field, models.CharField | models.TextField):
        return lambda value: value if type(value) is str else str(field.to_python(value))
    if isinstance(field, models.IntegerField | models.AutoField | models.ForeignKey):
        return lambda value: value if type(value) is int else _plain(field.to_python(value))
    return lambda value: _plain(field.to_python(value))


def _datetime(value):
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC)
    return value.isoformat(timespec="microseconds")


def _plain(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return _datetime(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bool | int):
        return value
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def commitment(salt: str, value) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + canonical_json(value)).hexdigest()


def row_digest(history_label: str, fields: Iterable[str], by_attname, values, salts) -> str:
    """The digest of one history row. ``values`` maps attnames to raw values; ``salts`` says
    which are committed (a salt) or already erased (``{"c": commitment}``)."""
    content = {}
    for name, convert in _converters(history_label, tuple(fields), by_attname):
        salt = salts.get(name)
        if isinstance(salt, dict):
            # Erased or sealed: the commitment stands for the value, whose column may be gone.
            content[name] = ["c", salt["c"]]
            continue
        value = values[name]
        if value is not None:
            value = convert(value)
        content[name] = ["v", value] if salt is None else ["c", commitment(salt, value)]
    return hashlib.sha256(
        canonical_json({"f": FORMAT, "m": history_label, "r": content})
    ).hexdigest()


_CONVERTERS: dict = {}


def _converters(history_label: str, fields: tuple[str, ...], by_attname):
    """(attname, converter) for each column of a schema, built once per schema."""
    key = (history_label, fields)
    found = _CONVERTERS.get(key)
    if found is None:
        # A column dropped since the row was written has no field: only a sealed value
        # (a commitment, see row_digest) may be missing, and it needs no converter.
        found = _CONVERTERS[key] = [
            (name, _converter(by_attname[name]) if name in by_attname else None) for name in fields
        ]
    return found


def _chain_key() -> bytes:
    secret = getattr(settings, "AUDIT_CHAIN_KEY", "") or os.environ.get("AUDIT_CHAIN_KEY", "")
    if not secret:
        secret = "derived-from-secret-key:" + settings.SECRET_KEY
    return hashlib.sha256(b"lepes-audit-chain\x00" + secret.encode()).digest()


def link_hash(chain: str, seq: int, previous: str, digest: str) -> str:
    message = f"{FORMAT}\n{chain}\n{seq}\n{previous}\n{digest}".encode()
    return hmac.new(_chain_key(), message, hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------------------------
# Schemas: which columns a digest covers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schema:
    digest: str
    model: str  # the history model, "casework.historicalcase"
    fields: tuple[str, ...]


@cache
def schema_of(history_model_class) -> Schema:
    return _schema(history_model_class._meta.label_lower, _attnames(history_model_class))


def _attnames(history_model_class) -> tuple[str, ...]:
    return tuple(sorted(f.attname for f in history_model_class._meta.concrete_fields))


@cache
def _schema(label: str, fields: tuple[str, ...]) -> Schema:
    digest = hashlib.sha256(canonical_json([label, list(fields)])).hexdigest()[:32]
    return Schema(digest=digest, model=label, fields=fields)


@cache
def fields_by_attname(history_model_class) -> dict[str, models.Field]:
    return {f.attname: f for f in history_model_class._meta.concrete_fields}


def record_schemas(using: str = "default", **kwargs) -> None:
    """Store the current schema of every history table (after each migrate). A schema is
    content-addressed, so a link written before its row exists still resolves."""
    rows = []
    for model in registry.tracked_models():
        schema = schema_of(registry.history_model(model))
        rows.append(ChainSchema(digest=schema.digest, model=schema.model, fields=schema.fields))
    ChainSchema.objects.using(using).bulk_create(rows, ignore_conflicts=True)


# --------------------------------------------------------------------------------------------
# Appending
# --------------------------------------------------------------------------------------------


def on_history_row(sender, *, instance, history_instance, using=None, **kwargs) -> None:
    """simple-history's ``post_create_historical_record``: chain the row just written."""
    using = using or router.db_for_write(sender, instance=instance)
    label = type(instance)._meta.label_lower
    scope = registry.scope_for(
        label, lambda name: getattr(history_instance, name), instance=instance, using=using
    )
    append(
        history_model_class=sender,
        label=label,
        values={name: getattr(history_instance, name) for name in schema_of(sender).fields},
        scope=scope,
        using=using,
        deferred=True,
    )


def append(
    *,
    history_model_class,
    label: str,
    values: Mapping,
    scope: registry.Scope,
    using: str,
    salts: dict | None = None,
    deferred: bool = False,
) -> ChainLink:
    """Add one history row (``values``: its columns) to the end of its chain.

    ``deferred``: on PostgreSQL inside a service, the link and the head's move ride with the
    transaction's next write (``kernel.deferred_writes``); the link's ``pk`` is then unknown."""
    with transaction.atomic(using=using, savepoint=False):
        head = _locked_head(scope, label=label, values=values, using=using)
        link = _next_link(
            head, history_model_class=history_model_class, label=label, values=values, salts=salts
        )
        if not _append_in_one_statement(link, head, using=using, deferred=deferred):
            link.save(using=using, force_insert=True)
            ChainHead.objects.using(using).filter(pk=head.pk).update(
                seq=link.seq, hash=link.hash, stage=head.stage
            )
    return link


def _next_link(head: ChainHead, *, history_model_class, label: str, values: Mapping, salts):
    """The link that follows ``head`` for the history row ``values``; ``head`` (in memory) is
    moved to it. Nothing is written."""
    schema = schema_of(history_model_class)
    tracked = registry.tracked_model_of(history_model_class)
    if salts is None:
        salts = {
            name: secrets.token_hex(16)
            for name in registry.personal_fields(tracked)
            if name in schema.fields
        }
    digest = row_digest(
        schema.model, schema.fields, fields_by_attname(history_model_class), values, salts
    )
    if label == registry.CASE:
        head.stage = values["stage"]
    seq = head.seq + 1
    chained = link_hash(head.key, seq, head.hash, digest)
    reason = values.get("history_change_reason") or ""
    link = ChainLink(
        head=head,
        seq=seq,
        model=label,
        history_id=values["history_id"],
        object_id=values.get(tracked._meta.pk.attname),
        history_type=values["history_type"],
        history_date=values["history_date"],
        user_id=values.get("history_user_id"),
        case_id=head.case_id,
        client_id=head.client_id,
        organisation_id=head.organisation_id,
        stage=head.stage,
        reason_code=reason_code(reason),
        schema=schema.digest,
        digest=digest,
        hash=chained,
        salts=salts,
    )
    head.seq, head.hash = seq, chained
    return link


# Rows per INSERT (and heads per lookup) when history was written in bulk.
BULK_BATCH = 500


def on_bulk_history(sender, *, rows, using=None, **kwargs) -> None:
    """``kernel.services.bulk_history_created``: chain history rows written in bulk (an import),
    which simple-history's bulk path writes without its per-row signal. The links are the ones
    ``append`` would write one by one, in the same order, written in a few INSERTs."""
    if not rows:
        return
    using = using or router.db_for_write(sender)
    label = registry.tracked_model_of(sender)._meta.label_lower
    fields = schema_of(sender).fields
    entries = []
    for row in rows:
        values = {name: getattr(row, name) for name in fields}
        scope = registry.scope_for(label, values.__getitem__, using=using)
        entries.append((values, scope))
    with transaction.atomic(using=using, savepoint=False):
        keys = list(dict.fromkeys(scope.key for _values, scope in entries))
        heads: dict[str, ChainHead] = {}
        locked = ChainHead.objects.using(using).select_for_update()
        for start in range(0, len(keys), BULK_BATCH):
            batch = keys[start : start + BULK_BATCH]
            heads.update({head.key: head for head in locked.filter(key__in=batch)})
        existing = set(heads)
        for values, scope in entries:
            if scope.key not in heads:
                # A chain that starts here belongs to an object this transaction created, so
                # no other writer can be starting it at the same time.
                facts = {
                    "case_id": scope.case_id,
                    "client_id": scope.client_id,
                    "organisation_id": scope.organisation_id,
                }
                if scope.is_case_chain:
                    facts.update(
                        _case_facts(scope.case_id, label=label, values=values, using=using)
                    )
                heads[scope.key] = ChainHead(key=scope.key, **facts)
        links = [
            _next_link(
                heads[scope.key], history_model_class=sender, label=label, values=values, salts=None
            )
            for values, scope in entries
        ]
        new_heads = [head for key, head in heads.items() if key not in existing]
        ChainHead.objects.using(using).bulk_create(new_heads, batch_size=BULK_BATCH)
        moved = [head for key, head in heads.items() if key in existing]
        ChainHead.objects.using(using).bulk_update(
            moved, ["seq", "hash", "stage"], batch_size=BULK_BATCH
        )
        ChainLink.objects.using(using).bulk_create(links, batch_size=BULK_BATCH)


def _append_in_one_statement(
    link: ChainLink, head: ChainHead, *, using: str, deferred: bool = False
) -> bool:
    """PostgreSQL: write the link and move the (locked) head in one round trip, a
    data-modifying ``WITH`` in front of the link's INSERT. Returns False where that is not
    available (SQLite), and the caller writes the two rows one after the other."""
    from kernel.compat.simple_history_speedup import insert_statement, insert_values

    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    fields, insert = insert_statement(ChainLink, connection)
    values = insert_values(link, fields, connection)
    if values is None:
        return False
    quote = connection.ops.quote_name
    move_head = "UPDATE {} SET {} = %s, {} = %s, {} = %s WHERE {} = %s".format(
        quote(ChainHead._meta.db_table),
        quote("seq"),
        quote("hash"),
        quote("stage"),
        quote(ChainHead._meta.pk.column),
    )
    head_params = [link.seq, link.hash, head.stage, head.pk]
    if deferred:
        # Nothing reads the new link's id on this path: one round trip fewer per history row.
        deferred_writes.defer(
            (move_head, head_params),
            (insert.rsplit(" RETURNING ", 1)[0], values),
            tables={ChainHead._meta.db_table, ChainLink._meta.db_table},
            using=using,
        )
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"WITH moved AS ({move_head}) {insert}", [*head_params, *values])
            link.pk = cursor.fetchone()[0]
    link._state.adding = False
    link._state.db = using
    return True


def reason_code(reason: str) -> str:
    return reason.split(":", 1)[0].strip()[:60]


def _locked_head(scope: registry.Scope, *, label: str, values: Mapping, using: str) -> ChainHead:
    heads = ChainHead.objects.using(using).select_for_update()
    head = heads.filter(key=scope.key).first()
    if head is not None:
        return head
    fields = {
        "case_id": scope.case_id,
        "client_id": scope.client_id,
        "organisation_id": scope.organisation_id,
    }
    if scope.is_case_chain:
        fields.update(_case_facts(scope.case_id, label=label, values=values, using=using))
    try:
        with transaction.atomic(using=using):
            return ChainHead.objects.using(using).create(key=scope.key, **fields)
    except IntegrityError:  # another transaction started this chain first: queue behind it
        return heads.get(key=scope.key)


def _case_facts(case_id, *, label: str, values: Mapping, using: str) -> dict:
    if label == registry.CASE:
        return {
            "client_id": values["client_id"],
            "organisation_id": values["organisation_id"],
            "stage": values["stage"],
        }
    from casework.models import Case

    row = (
        Case.objects.using(using)
        .filter(pk=case_id)
        .values("client_id", "organisation_id", "stage")
        .first()
    ) or (
        Case.history.using(using)
        .filter(id=case_id)
        .order_by("-history_id")
        .values("client_id", "organisation_id", "stage")
        .first()
    )
    return row or {}


# --------------------------------------------------------------------------------------------
# Adopting rows written without the signal
# --------------------------------------------------------------------------------------------


def unchained_rows(history_model_class, label: str, *, using: str = "default"):
    chained = ChainLink.objects.using(using).filter(model=label, history_id=OuterRef("history_id"))
    return history_model_class.objects.using(using).filter(~Exists(chained))


def adopt_unchained(*, using: str = "default") -> int:
    """Chain every history row that has no link yet, oldest first. For a database whose history
    predates the audit app: run once, by hand (``verify_audit --adopt-unchained``), because it
    also legitimises rows inserted behind the application's back."""
    pending = []
    for model in registry.tracked_models():
        history = registry.history_model(model)
        label = model._meta.label_lower
        fields = schema_of(history).fields
        for values in unchained_rows(history, label, using=using).values(*fields):
            pending.append((values["history_date"], label, values["history_id"], history, values))
    pending.sort(key=lambda item: item[:3])
    with transaction.atomic(using=using):
        for _date, label, _id, history, values in pending:
            scope = registry.scope_for(label, values.__getitem__, using=using)
            append(
                history_model_class=history, label=label, values=values, scope=scope, using=using
            )
    return len(pending)
