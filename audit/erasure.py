"""Lawful erasure of personal values from the history, keeping every chain verifiable.

A personal field was hashed into its row's digest as a commitment ``sha256(salt || value)``,
with the salt kept in the chain link. Erasing a value:

1. checks the row still matches its digest (an edited row is not blessed by erasing it);
2. stores the commitment itself in place of the salt (``{"c": commitment}``);
3. overwrites the value in the history row with an empty value.

The digest is computed from the commitment either way, so ``verify_audit`` still passes; the
salt is gone, so the commitment can no longer be matched against guesses of the value.

``erase_client`` erases a whole client (GDPR Art. 17): first the live rows, then the history.
The rows are every row that refers to the client, found from the model graph
(``privacy.subject_access.referring_rows``), and the fields erased are those the record of
processing marks ``committed`` (``privacy.registry``): a model added later, such as a
special-category record, is covered by describing its fields there, not by being named here.
Saving a live row with its fields emptied writes one more, already empty, history row; the
history pass then empties the older ones. A change reason keeps its code and loses its free
text. The erasure is logged in the read log (action "erase"). ``privacy.erasure`` is the door
other apps use (``AuditConfig.ready`` plugs ``erase_client`` in).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from casework.journey import Stage
from casework.models import Case, Client, Programme
from kernel.services import save_with_history
from privacy import registry as privacy_registry
from privacy import selectors as privacy_selectors
from privacy import subject_access
from privacy.models import RightsRequest, RightsRequestKind, RightsRequestStatus

from . import chain, registry
from .models import AccessAction, AccessLog, ChainLink

# Values that stand in for an erased field where an empty one would leave the row unreadable:
# the client's name becomes a pseudonym that says nothing about the person.
PSEUDONYMS = {
    registry.CLIENT: {"family_name": lambda row: "—", "given_name": lambda row: f"#{row.pk}"},
}


class ErasureRefused(Exception):
    """A row no longer matches its digest: run verify_audit before erasing."""


def _empty(f: models.Field):
    if f.attname == "history_change_reason":
        return None  # replaced by the code alone, below
    if f.null:
        return None
    if isinstance(f, models.JSONField):
        return f.get_default()
    if isinstance(f, models.CharField | models.TextField):
        return ""
    return f.get_default()


@transaction.atomic
def erase_client_history(*, user, client_id: int, what: str = "") -> int:
    """Erase the personal values of the client and of their cases' records from every history
    row. Returns the number of history rows touched."""
    client = Client.objects.select_for_update().get(pk=client_id)
    case_ids = list(Case.objects.filter(client=client).values_list("pk", flat=True))
    condition = models.Q(model=registry.CLIENT, object_id=client.pk) | models.Q(
        case_id__in=case_ids
    )
    # Every history row that refers to the client, whichever chain it joined (a model outside
    # the case timeline has a chain per object).
    for table, ids in subject_access.referring_rows(client).items():
        mirrored = subject_access.history_of(table)
        if mirrored is not None:
            condition |= models.Q(model=mirrored._meta.label_lower, history_id__in=ids)
    links = ChainLink.objects.select_for_update().filter(condition)
    touched = 0
    for link in links.order_by("id"):
        try:
            model = apps.get_model(link.model)
        except LookupError:
            continue
        if not registry.is_tracked(model):
            continue
        history = registry.history_model(model)
        by_attname = chain.fields_by_attname(history)
        row = history.objects.filter(history_id=link.history_id).values().first()
        if row is None:
            raise ErasureRefused(f"{link.model} history row {link.history_id} is missing")
        schema = chain.schema_of(history)
        fields = schema.fields if link.schema == schema.digest else _schema_fields(link)
        digest = chain.row_digest(history._meta.label_lower, fields, by_attname, row, link.salts)
        if digest != link.digest:
            raise ErasureRefused(f"{link.model} history row {link.history_id} was edited")
        updates, salts = {}, dict(link.salts)
        for name, salt in link.salts.items():
            if isinstance(salt, dict):
                continue  # already erased
            value = chain.canonical_value(by_attname[name], row[name])
            salts[name] = {"c": chain.commitment(salt, value)}
            if name == "history_change_reason":
                updates[name] = chain.reason_code(row[name] or "") or None
            else:
                updates[name] = _empty(by_attname[name])
        if not updates:
            continue
        history.objects.filter(history_id=link.history_id).update(**updates)
        ChainLink.objects.filter(pk=link.pk).update(salts=salts)
        touched += 1
    AccessLog.objects.create(
        user=user, client=client, action=AccessAction.ERASE, what=(what or "erasure")[:60]
    )
    return touched


def _schema_fields(link: ChainLink) -> list[str]:
    from .models import ChainSchema

    return ChainSchema.objects.get(digest=link.schema).fields


@transaction.atomic
def erase_client(*, user, client_id: int, what: str = "") -> int:
    """Erase the client everywhere: the live rows that refer to them, then every history row.
    Returns the number of rows touched."""
    client = Client.objects.select_for_update().get(pk=client_id)
    touched = _erase_live_rows(user=user, client=client)
    return touched + erase_client_history(user=user, client_id=client_id, what=what)


def _erase_live_rows(*, user, client: Client) -> int:
    committed = privacy_registry.committed_fields()
    touched = 0
    for model, ids in subject_access.referring_rows(client).items():
        label = model._meta.label_lower
        if subject_access.history_of(model) is not None or not committed.get(label):
            continue
        fields = [model._meta.get_field(name) for name in committed[label]]
        pseudonyms = PSEUDONYMS.get(label, {})
        rows = model._base_manager.select_for_update().filter(pk__in=ids).order_by("pk")
        for row in rows:
            changed = False
            for field in fields:
                value = pseudonyms[field.name](row) if field.name in pseudonyms else _empty(field)
                if getattr(row, field.attname) != value:
                    setattr(row, field.attname, value)
                    changed = True
            if not changed:
                continue
            if registry.is_tracked(model):
                save_with_history(row, user=user, reason="audit.erase", validate=False)
            else:
                row.save(update_fields=[field.name for field in fields])
            touched += 1
    return touched


# --------------------------------------------------------------------------------------------
# Retention: who is due for erasure
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    client_id: int
    case_id: int  # the case the erasure is recorded on (the client's latest)
    case_numbers: tuple[str, ...]
    hold_ended_on: datetime.date


def due_for_purge(*, today: datetime.date | None = None) -> list[Due]:
    """Clients whose every case is closed and whose funder's retention hold (for each case:
    programme end + the programme's retention years) ended before ``today``, not yet erased.
    A few queries whatever the number of cases: the holds are per programme."""
    today = today or timezone.localdate()
    held = {
        programme.pk: privacy_selectors.add_years(programme.ends_on, programme.retention_years)
        for programme in Programme.objects.only("pk", "ends_on", "retention_years")
    }
    still_held = [pk for pk, until in held.items() if until >= today]
    erased = RightsRequest.objects.filter(
        kind=RightsRequestKind.ERASURE, status=RightsRequestStatus.ERASED
    ).values("case__client_id")
    blocked = Case.objects.filter(
        models.Q(programme_id__in=still_held) | ~models.Q(stage=Stage.CLOSED)
    ).values("client_id")
    cases = (
        Case.objects.filter(stage=Stage.CLOSED)
        .exclude(client_id__in=blocked)
        .exclude(client_id__in=erased)
        .order_by("client_id", "pk")
        .values_list("client_id", "pk", "number", "programme_id")
    )
    by_client: dict[int, list] = {}
    for client_id, case_id, number, programme_id in cases:
        by_client.setdefault(client_id, []).append((case_id, number, held[programme_id]))
    return [
        Due(
            client_id=client_id,
            case_id=rows[-1][0],
            case_numbers=tuple(number for _id, number, _until in rows),
            hold_ended_on=max(until for *_rest, until in rows),
        )
        for client_id, rows in by_client.items()
    ]
