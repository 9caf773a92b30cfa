"""A lawful erasure removes personal values from the history and leaves every chain verifiable."""

import pytest
from django.db import connection

from audit import verify
from audit.erasure import ErasureRefused, erase_client_history
from audit.models import AccessAction, AccessLog, ChainLink
from casework.models import Case, Client

from .support import busy_case, history_model


@pytest.mark.django_db
def test_erasing_a_client_keeps_every_chain_verifiable(world, case):
    busy_case(case, world)
    assert verify.verify().ok

    touched = erase_client_history(user=world.supervisor, client_id=case.client_id, what="art17")

    assert touched > 0
    client_rows = list(Client.history.filter(id=case.client_id).values())
    assert {row["family_name"] for row in client_rows} == {""}
    assert {row["phone"] for row in client_rows} == {""}
    assert {tuple(row["target_groups"]) for row in client_rows} == {()}
    suspended = Case.history.filter(id=case.pk, history_change_reason__startswith="case.suspend")
    assert [row.history_change_reason for row in suspended] == ["case.suspend"]
    # The salts are gone: only the commitments remain.
    link = ChainLink.objects.filter(model="casework.client").first()
    assert all(isinstance(value, dict) for value in link.salts.values())
    report = verify.verify()
    assert report.ok, [problem.describe() for problem in report.problems]
    assert AccessLog.objects.filter(
        client_id=case.client_id, action=AccessAction.ERASE, user=world.supervisor
    ).exists()


@pytest.mark.django_db
def test_erasure_refuses_to_bless_a_row_edited_behind_the_applications_back(world, case):
    busy_case(case, world)
    row = Client.history.filter(id=case.client_id).earliest("history_id")
    table = connection.ops.quote_name(history_model("casework.client")._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET settlement = 'Eger' WHERE history_id = %s", [row.history_id]
        )

    with pytest.raises(ErasureRefused):
        erase_client_history(user=world.supervisor, client_id=case.client_id)

    assert Client.history.get(history_id=row.history_id).family_name == "Kovács"
