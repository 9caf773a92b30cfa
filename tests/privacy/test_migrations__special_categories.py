"""casework 0005 moves the special categories out of the client file into privacy records."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

SALT = "ab" * 16
BEFORE = [
    ("casework", "0004_client_search_keys"),
    ("privacy", "0003_special_category_records"),
    ("audit", "0003_link_indexes_not_repeated"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_client_values_and_special_target_groups_become_records():
    old = _migrate(BEFORE)
    try:
        Organisation = old.get_model("casework", "Organisation")
        Client = old.get_model("casework", "Client")
        org = Organisation.objects.create(name="Ózd", kind="municipality", settlement="Ózd")

        def client(name, **fields):
            return Client.objects.create(
                organisation=org, family_name=name, given_name="A", **fields
            ).pk

        roma = client(
            "Lakatos",
            belongs_to_minority=True,
            has_disability=False,
            target_groups=["single_parent", "disability", "ex_offender"],
        )
        plain = client(
            "Kiss", belongs_to_minority=False, has_disability=None, target_groups=["young_person"]
        )
        silent = client("Nagy", belongs_to_minority=None, has_disability=None)
        # A history row of the Lakatos client with its audit chain link (salted values).
        History = old.get_model("casework", "HistoricalClient")
        row = History.objects.create(
            id=roma,
            organisation_id=org.pk,
            family_name="Lakatos",
            given_name="A",
            belongs_to_minority=True,
            has_disability=False,
            target_groups=[],
            created_at=timezone.now(),
            history_date=timezone.now(),
            history_type="+",
        )
        head = old.get_model("audit", "ChainHead").objects.create(key=f"client:{roma}")
        old.get_model("audit", "ChainLink").objects.create(
            head=head,
            seq=1,
            model="casework.client",
            history_id=row.history_id,
            object_id=roma,
            history_type="+",
            history_date=row.history_date,
            schema="s",
            digest="d",
            hash="h",
            salts={"belongs_to_minority": SALT, "has_disability": SALT, "family_name": SALT},
        )
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from audit import chain
    from audit.models import ChainLink
    from casework.models import Client as CurrentClient
    from privacy.models import SpecialCategoryRecord

    answers = {(r.client_id, r.category): r.answer for r in SpecialCategoryRecord.objects.all()}
    assert answers == {
        (roma, "ethnicity"): "yes",
        # The ticked target group wins over the "no" of the flag: it is the explicit statement.
        (roma, "disability"): "yes",
        (roma, "criminal_record"): "yes",
        (plain, "ethnicity"): "no",
    }
    assert not any(client_id == silent for client_id, _category in answers)
    assert CurrentClient.objects.get(pk=roma).target_groups == ["single_parent"]
    assert CurrentClient.objects.get(pk=plain).target_groups == ["young_person"]
    assert {r.recorded_by_id for r in SpecialCategoryRecord.objects.all()} == {None}
    # The dropped columns' salts became the commitments they made; other salts stay.
    (link,) = ChainLink.objects.filter(object_id=roma)
    assert link.salts == {
        "belongs_to_minority": {"c": chain.commitment(SALT, True)},
        "has_disability": {"c": chain.commitment(SALT, False)},
        "family_name": SALT,
    }
