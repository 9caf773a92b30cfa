"""A history column dropped after its values were sealed as commitments still verifies (casework
0005 drops the client's old special-category columns that way); an unsealed one does not."""

import pytest

from audit import chain, registry, verify
from audit.models import ChainLink
from casework.models import Client

from .support import busy_case


@pytest.mark.django_db
def test_a_dropped_column_verifies_only_when_its_value_was_sealed(world, case):
    busy_case(case, world)
    assert verify.verify().ok
    link = ChainLink.objects.filter(model=registry.CLIENT).order_by("id").first()
    history = registry.history_model(Client)
    by_attname = chain.fields_by_attname(history)
    row = history.objects.filter(history_id=link.history_id).values().get()
    current = chain.schema_of(history)
    # The schema the row was written with had a column the table no longer has.
    fields = tuple(sorted((*current.fields, "has_disability")))
    schema = chain.Schema(digest="then", model=current.model, fields=fields)
    salt = "ab" * 16
    sealed = {**link.salts, "has_disability": {"c": chain.commitment(salt, True)}}
    as_link = ChainLink.objects.filter(pk=link.pk).values(*verify._LINK_VALUES).get()
    as_link.update(
        salts=sealed, digest=chain.row_digest(current.model, fields, by_attname, row, sealed)
    )

    assert verify._compare(registry.CLIENT, row, as_link, schema, by_attname, "id") is None

    unsealed = {**as_link, "salts": {**sealed, "has_disability": salt}}
    problem = verify._compare(registry.CLIENT, row, unsealed, schema, by_attname, "id")
    assert problem.kind == verify.SCHEMA and problem.detail == "columns gone: has_disability"
    # A sealed commitment that does not match the digest is an edit, as before.
    forged = {**as_link, "salts": {**sealed, "has_disability": {"c": "00" * 32}}}
    assert verify._compare(registry.CLIENT, row, forged, schema, by_attname, "id").kind == (
        verify.EDITED
    )
