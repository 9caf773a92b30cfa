"""Lawful erasure of personal values from the history, keeping every chain verifiable.

A personal field was hashed into its row's digest as a commitment ``sha256(salt || value)``,
with the salt kept in the chain link. Erasing a value:

1. checks the row still matches its digest (an edited row is not blessed by erasing it);
2. stores the commitment itself in place of the salt (``{"c": commitment}``);
3. overwrites the value in the history row with an empty value.

The digest is computed from the commitment either way, so ``verify_audit`` still passes; the
salt is gone, so the commitment can no longer be matched against guesses of the value.

This module erases history only. The live ``Client`` row is the casework services' business
(a save with emptied fields writes one more, already empty, history row). A change reason keeps
its code and loses its free text. The erasure is logged in the read log (action "erase").
"""

from __future__ import annotations

from django.db import models, transaction

from casework.models import Case, Client

from . import chain, registry
from .models import AccessAction, AccessLog, ChainLink


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
    links = ChainLink.objects.select_for_update().filter(
        models.Q(model=registry.CLIENT, object_id=client.pk) | models.Q(case_id__in=case_ids)
    )
    touched = 0
    for link in links.order_by("id"):
        model = registry.BY_LABEL[link.model].model if link.model in registry.BY_LABEL else None
        if model is None:
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
