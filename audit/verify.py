"""Walk every history table and every chain; name what does not add up.

Two passes, both streamed in keyset batches so memory stays flat on millions of rows:

1. **Rows against links**, per history table in ``history_id`` order: a row without a link was
   inserted behind the application's back; a link without a row points at a deleted row; a row
   whose digest differs from its link's was edited; a link whose copies of the row's date, user,
   type, object or stage differ from the row was edited.
2. **Links along chains**, in (chain, seq) order: every link's HMAC must follow from the previous
   hash and its digest, seq numbers must have no gap, and the head must name the last link.

A chain that was cut and re-sealed by someone holding the chain key is only caught by comparing
with heads stored outside the database (``anchors``).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from . import chain, registry
from .models import GENESIS, ChainHead, ChainLink, ChainSchema

BATCH = 2000
HEADS_FORMAT = "lepes-audit-heads/1"

EDITED = "edited"
DELETED = "deleted"
INSERTED = "inserted"
LINK = "link"
HEAD = "head"
SCHEMA = "schema"
ANCHOR = "anchor"

_KIND_TEXT = {
    EDITED: "row edited after it was written (its content no longer matches its digest)",
    DELETED: "row deleted (its chain link has no row)",
    INSERTED: "row inserted outside the application (it is in no chain)",
    LINK: "chain link edited or out of order",
    HEAD: "chain head does not match its last link",
    SCHEMA: "row cannot be checked: its schema is unknown or a column is gone",
    ANCHOR: "chain no longer contains a head stored outside the database",
}


@dataclass
class Problem:
    kind: str
    model: str
    history_id: int | None = None
    object_id: int | None = None
    chain: str | None = None
    seq: int | None = None
    history_date: datetime.datetime | None = None
    detail: str = ""

    def sort_key(self):
        moment = self.history_date or datetime.datetime.max.replace(tzinfo=datetime.UTC)
        return (moment, self.model, self.history_id or 0, self.seq or 0)

    def describe(self) -> str:
        where = f"{self.model} history_id={self.history_id}"
        if self.object_id is not None:
            where += f" (object {self.object_id})"
        if self.chain:
            where += f", chain {self.chain} seq {self.seq}"
        if self.history_date:
            where += f", written {self.history_date.isoformat()}"
        text = f"{where}: {_KIND_TEXT[self.kind]}"
        return f"{text}; {self.detail}" if self.detail else text


@dataclass
class Report:
    rows: int = 0
    links: int = 0
    chains: int = 0
    problems: list[Problem] = field(default_factory=list)
    seal: str = ""
    seconds: float = 0.0
    predating: int = 0  # unchained rows older than the first link: history from before the app

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return min(self.problems, key=Problem.sort_key) if self.problems else None


def verify(*, using: str = "default", anchors: dict | None = None) -> Report:
    started = time.monotonic()
    report = Report()
    schemas = {
        row.digest: chain.Schema(row.digest, row.model, tuple(row.fields))
        for row in ChainSchema.objects.using(using).all()
    }
    first_link = ChainLink.objects.using(using).order_by("history_date").first()
    first_moment = first_link.history_date if first_link else None
    for model in registry.tracked_models():
        _check_rows(model, report, schemas=schemas, first_moment=first_moment, using=using)
    _check_chains(report, using=using)
    if anchors:
        _check_anchors(anchors, report, using=using)
    report.seal = seal(using=using)
    report.problems.sort(key=Problem.sort_key)
    report.seconds = time.monotonic() - started
    return report


# --------------------------------------------------------------------------------------------
# Pass 1: rows against links
# --------------------------------------------------------------------------------------------

_LINK_VALUES = (
    "id",
    "head__key",
    "seq",
    "history_id",
    "object_id",
    "history_type",
    "history_date",
    "user_id",
    "stage",
    "reason_code",
    "schema",
    "digest",
    "salts",
)


def _check_rows(model, report: Report, *, schemas, first_moment, using) -> None:
    history = registry.history_model(model)
    label = model._meta.label_lower
    pk = model._meta.pk.attname
    by_attname = chain.fields_by_attname(history)
    current = chain.schema_of(history)
    columns = list(by_attname)
    last = None
    while True:
        rows = history.objects.using(using).order_by("history_id")
        links = ChainLink.objects.using(using).filter(model=label)
        if last is not None:
            rows = rows.filter(history_id__gt=last)
            links = links.filter(history_id__gt=last)
        batch = list(rows.values(*columns)[:BATCH])
        full = len(batch) == BATCH
        if full:
            links = links.filter(history_id__lte=batch[-1]["history_id"])
        found = {link["history_id"]: link for link in links.values(*_LINK_VALUES)}
        for row in batch:
            report.rows += 1
            link = found.pop(row["history_id"], None)
            if link is None:
                if first_moment is None or row["history_date"] < first_moment:
                    report.predating += 1
                report.problems.append(
                    Problem(
                        INSERTED,
                        label,
                        row["history_id"],
                        row.get(pk),
                        history_date=row["history_date"],
                    )
                )
                continue
            schema = schemas.get(link["schema"])
            if schema is None and link["schema"] == current.digest:
                schema = current
            problem = _compare(label, row, link, schema, by_attname, pk)
            if problem is not None:
                report.problems.append(problem)
        for link in found.values():
            report.problems.append(_problem(DELETED, label, link))
        if not full:
            return
        last = batch[-1]["history_id"]


def _problem(kind: str, label: str, link: dict, detail: str = "") -> Problem:
    return Problem(
        kind,
        label,
        link["history_id"],
        link["object_id"],
        link["head__key"],
        link["seq"],
        link["history_date"],
        detail,
    )


def _compare(label, row, link, schema, by_attname, pk) -> Problem | None:
    if schema is None:
        return _problem(SCHEMA, label, link, f"unknown schema {link['schema']}")
    # A column dropped after its values were sealed as commitments (casework 0005 did so for
    # the special categories that left the client file) still verifies.
    missing = [
        name
        for name in schema.fields
        if name not in row and not isinstance(link["salts"].get(name), dict)
    ]
    if missing:
        return _problem(SCHEMA, label, link, "columns gone: " + ", ".join(missing))
    digest = chain.row_digest(schema.model, schema.fields, by_attname, row, link["salts"])
    if digest != link["digest"]:
        return _problem(EDITED, label, link)
    copies = {
        "object": (link["object_id"], row.get(pk)),
        "type": (link["history_type"], row["history_type"]),
        "date": (link["history_date"], row["history_date"]),
        "user": (link["user_id"], row.get("history_user_id")),
        "reason": (link["reason_code"], chain.reason_code(row.get("history_change_reason") or "")),
    }
    if label == registry.CASE:
        copies["stage"] = (link["stage"], row["stage"])
    wrong = [name for name, (copied, actual) in copies.items() if copied != actual]
    if wrong:
        return _problem(LINK, label, link, "the link's copy differs: " + ", ".join(wrong))
    return None


# --------------------------------------------------------------------------------------------
# Pass 2: links along chains
# --------------------------------------------------------------------------------------------


def _link_batches_in_chain_order(using) -> Iterator[list[dict]]:
    position = None
    fields = (
        "id",
        "head_id",
        "seq",
        "model",
        "history_id",
        "object_id",
        "history_date",
        "case_id",
        "client_id",
        "organisation_id",
        "stage",
        "digest",
        "hash",
    )
    while True:
        links = ChainLink.objects.using(using).order_by("head_id", "seq")
        if position is not None:
            head_id, seq = position
            links = links.filter(Q(head_id__gt=head_id) | Q(head_id=head_id, seq__gt=seq))
        batch = list(links.values(*fields)[:BATCH])
        yield batch
        if len(batch) < BATCH:
            return
        position = (batch[-1]["head_id"], batch[-1]["seq"])


@dataclass
class _Walk:
    head: ChainHead | None = None
    expected: int = 1
    previous: str = GENESIS
    stage: str | None = None
    last: dict | None = None


def _check_chains(report: Report, *, using) -> None:
    heads: dict[int, ChainHead] = {}
    walk = _Walk()

    def finish() -> None:
        head, last = walk.head, walk.last
        if head is None:
            return
        report.chains += 1
        if last is None or head.seq != last["seq"] or head.hash != last["hash"]:
            report.problems.append(
                _link_problem(
                    HEAD,
                    head,
                    last or {},
                    f"head says seq {head.seq}, last link is seq {last['seq'] if last else 0}",
                )
            )

    for batch in _link_batches_in_chain_order(using):
        keep = walk.head.pk if walk.head is not None else None
        heads = {key: head for key, head in heads.items() if key == keep}
        wanted = {link["head_id"] for link in batch} - set(heads)
        heads.update(ChainHead.objects.using(using).in_bulk(wanted))
        for link in batch:
            report.links += 1
            if walk.head is not None and link["head_id"] == walk.head.pk:
                _check_link(walk, link, report)
                continue
            finish()
            head = heads.get(link["head_id"])
            walk = _Walk(head=head)
            if head is None:
                report.problems.append(
                    _link_problem(LINK, None, link, f"its chain head #{link['head_id']} is gone")
                )
                continue
            _check_link(walk, link, report)
    finish()
    # A head whose every link is gone.
    # NOT EXISTS, not NOT IN: PostgreSQL cannot hash a million-row NOT IN list.
    orphans = (
        ChainHead.objects.using(using)
        .filter(seq__gt=0)
        .filter(~Exists(ChainLink.objects.using(using).filter(head_id=OuterRef("pk"))))
    )
    for head in orphans:
        report.chains += 1
        report.problems.append(_link_problem(HEAD, head, {}, "every link of the chain is gone"))


def _check_link(walk: _Walk, link: dict, report: Report) -> None:
    head = walk.head
    if link["seq"] != walk.expected:
        report.problems.append(
            _link_problem(
                LINK,
                head,
                link,
                f"seq {walk.expected}..{link['seq'] - 1} missing (links deleted)"
                if link["seq"] > walk.expected
                else f"seq {link['seq']} repeated",
            )
        )
    expected = chain.link_hash(head.key, link["seq"], walk.previous, link["digest"])
    if expected != link["hash"]:
        report.problems.append(
            _link_problem(
                LINK,
                head,
                link,
                "its hash does not follow from the previous link and its digest (link edited, "
                "or written with a different AUDIT_CHAIN_KEY / SECRET_KEY)",
            )
        )
    if link["model"] == registry.CASE:
        walk.stage = link["stage"]
    elif head.case_id is not None and walk.stage is not None and link["stage"] != walk.stage:
        report.problems.append(_link_problem(LINK, head, link, "its stage copy is wrong"))
    scope = ("case_id", "client_id", "organisation_id")
    if any(link[name] != getattr(head, name) for name in scope):
        report.problems.append(_link_problem(LINK, head, link, "its scope copy is wrong"))
    walk.previous = link["hash"]
    walk.expected = link["seq"] + 1
    walk.last = link


def _link_problem(kind, head, link: dict, detail: str) -> Problem:
    return Problem(
        kind,
        link.get("model", ""),
        link.get("history_id"),
        link.get("object_id"),
        head.key if head is not None else None,
        link.get("seq"),
        link.get("history_date"),
        detail,
    )


# --------------------------------------------------------------------------------------------
# Heads and anchors
# --------------------------------------------------------------------------------------------


def heads(*, using: str = "default") -> Iterator[tuple[str, int, str]]:
    yield from (
        ChainHead.objects.using(using)
        .filter(seq__gt=0)
        .order_by("key")
        .values_list("key", "seq", "hash")
        .iterator(chunk_size=BATCH)
    )


def seal(*, using: str = "default") -> str:
    """One hash over every chain head: store it (with the heads) outside the database."""
    digest = hashlib.sha256(f"{HEADS_FORMAT}\n".encode())
    for key, seq, head_hash in heads(using=using):
        digest.update(f"{key} {seq} {head_hash}\n".encode())
    return digest.hexdigest()


def heads_document(*, using: str = "default") -> dict:
    return {
        "format": HEADS_FORMAT,
        "seal": seal(using=using),
        "heads": {key: [seq, head_hash] for key, seq, head_hash in heads(using=using)},
    }


def load_anchors(text: str) -> dict[str, tuple[int, str]]:
    document = json.loads(text)
    if document.get("format") != HEADS_FORMAT:
        raise ValueError(f"not a {HEADS_FORMAT} document")
    return {key: (int(seq), head_hash) for key, (seq, head_hash) in document["heads"].items()}


def _check_anchors(anchors: dict[str, tuple[int, str]], report: Report, *, using) -> None:
    keys = sorted(anchors)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        wanted = Q(pk__in=[])
        for key in chunk:
            wanted |= Q(head__key=key, seq=anchors[key][0])
        found = {
            link["head__key"]: link
            for link in ChainLink.objects.using(using)
            .filter(wanted)
            .values(*_LINK_VALUES, "hash", "model")
        }
        for key in chunk:
            seq, anchored = anchors[key]
            link = found.get(key)
            if link is None or link["hash"] != anchored:
                problem = Problem(
                    ANCHOR,
                    link["model"] if link else "",
                    link["history_id"] if link else None,
                    link["object_id"] if link else None,
                    key,
                    seq,
                    link["history_date"] if link else None,
                    "the link is gone" if link is None else "the link was rewritten",
                )
                report.problems.append(problem)
