"""verify_audit passes on history written by the application and names the first broken row
when a row is edited, deleted or inserted in raw SQL, or a chain is cut and re-sealed."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit import chain, verify
from audit.models import ChainHead, ChainLink
from casework import services
from casework.models import Case, Client

from .support import busy_case, history_model


def run_verify(*args) -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def table(label: str) -> str:
    return connection.ops.quote_name(history_model(label)._meta.db_table)


@pytest.fixture
def journey(world, case):
    return busy_case(case, world)


@pytest.mark.django_db
def test_verify_audit_passes_on_untouched_history_and_prints_the_seal(journey):
    ok, out = run_verify()
    assert ok, out
    assert "OK: every history row is in its chain, intact." in out
    assert f"seal: {verify.seal()}" in out


@pytest.mark.django_db
def test_verify_audit_names_a_row_updated_in_raw_sql(journey, world):
    row = Case.history.filter(id=journey.pk, history_change_reason="case.advance").earliest(
        "history_id"
    )
    sql(
        f"UPDATE {table('casework.case')} SET mentor_id = %s WHERE history_id = %s",
        [world.mentor2.pk, row.history_id],
    )

    ok, out = run_verify()

    assert not ok
    assert f"first broken row: casework.case history_id={row.history_id}" in out
    assert "row edited after it was written" in out


@pytest.mark.django_db
def test_verify_audit_names_a_personal_value_updated_in_raw_sql(journey):
    row = Client.history.filter(id=journey.client_id).earliest("history_id")
    sql(
        f"UPDATE {table('casework.client')} SET birth_year = 1970 WHERE history_id = %s",
        [row.history_id],
    )

    ok, out = run_verify()

    assert not ok
    assert f"first broken row: casework.client history_id={row.history_id}" in out


@pytest.mark.django_db
def test_verify_audit_names_a_row_deleted_in_raw_sql(journey):
    row = journey.plan.history.filter(history_change_reason="plan.submit").get()
    sql(f"DELETE FROM {table('casework.developmentplan')} WHERE history_id = %s", [row.history_id])

    ok, out = run_verify()

    assert not ok
    assert f"first broken row: casework.developmentplan history_id={row.history_id}" in out
    assert "row deleted" in out


@pytest.mark.django_db
def test_verify_audit_names_the_gap_when_a_row_and_its_link_are_deleted(journey):
    row = journey.plan.history.filter(history_change_reason="plan.submit").get()
    link = ChainLink.objects.get(model="casework.developmentplan", history_id=row.history_id)
    sql(f"DELETE FROM {table('casework.developmentplan')} WHERE history_id = %s", [row.history_id])
    sql("DELETE FROM audit_chainlink WHERE id = %s", [link.pk])
    following = ChainLink.objects.get(head=link.head, seq=link.seq + 1)

    ok, out = run_verify()

    assert not ok
    assert (
        f"first broken row: {following.model} history_id={following.history_id}"
        f" (object {following.object_id}), chain {link.head.key} seq {following.seq}"
    ) in out
    assert f"seq {link.seq}..{link.seq} missing (links deleted)" in out


@pytest.mark.django_db
def test_verify_audit_names_a_row_inserted_in_raw_sql(journey):
    history = history_model("casework.referral")
    columns = [f.column for f in history._meta.concrete_fields if f.column != "history_id"]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    source = history.objects.filter(case_id=journey.pk).earliest("history_id")
    sql(
        f"INSERT INTO {table('casework.referral')} ({names}) SELECT {names} "
        f"FROM {table('casework.referral')} WHERE history_id = %s",
        [source.history_id],
    )
    inserted = history.objects.latest("history_id")

    ok, out = run_verify()

    assert not ok
    assert f"first broken row: casework.referral history_id={inserted.history_id}" in out
    assert "inserted outside the application" in out


@pytest.mark.django_db
def test_verify_audit_catches_an_edit_resealed_without_the_chain_key(journey, world):
    """Someone with database access edits a row and recomputes its digest, but cannot compute
    the link's HMAC without the key."""
    row = Case.history.filter(id=journey.pk).latest("history_id")
    sql(
        f"UPDATE {table('casework.case')} SET outcome = 'dropped_out' WHERE history_id = %s",
        [row.history_id],
    )
    link = ChainLink.objects.get(model="casework.case", history_id=row.history_id)
    history = history_model("casework.case")
    schema = chain.schema_of(history)
    values = history.objects.filter(history_id=row.history_id).values().get()
    forged = chain.row_digest(
        schema.model, schema.fields, chain.fields_by_attname(history), values, link.salts
    )
    sql("UPDATE audit_chainlink SET digest = %s WHERE id = %s", [forged, link.pk])

    ok, out = run_verify()

    assert not ok
    assert f"first broken row: casework.case history_id={row.history_id}" in out
    assert "does not follow from the previous link" in out


@pytest.mark.django_db
def test_anchors_stored_outside_catch_a_tail_cut_and_resealed_with_the_key(journey, tmp_path):
    anchors = tmp_path / "heads.json"
    ok, out = run_verify("--heads-file", str(anchors))
    assert ok, out
    # Someone holding the database *and* the chain key removes the newest case row and its
    # link and moves the head back: the chain alone is consistent again.
    head = ChainHead.objects.get(key=f"case:{journey.pk}")
    last = ChainLink.objects.get(head=head, seq=head.seq)
    previous = ChainLink.objects.get(head=head, seq=head.seq - 1)
    sql(f"DELETE FROM {table(last.model)} WHERE history_id = %s", [last.history_id])
    sql("DELETE FROM audit_chainlink WHERE id = %s", [last.pk])
    sql(
        "UPDATE audit_chainhead SET seq = %s, hash = %s WHERE id = %s",
        [previous.seq, previous.hash, head.pk],
    )
    assert run_verify()[0], "the cut is invisible without anchors"

    ok, out = run_verify("--anchors", str(anchors))

    assert not ok
    assert f"chain {head.key} seq {head.seq}" in out
    assert "no longer contains a head stored outside the database" in out


@pytest.mark.django_db
def test_verify_audit_prints_every_head_on_request(journey):
    ok, out = run_verify("--heads")
    assert ok
    head = ChainHead.objects.get(key=f"case:{journey.pk}")
    assert f"  {head.key} {head.seq} {head.hash}" in out


@pytest.mark.django_db
def test_history_written_before_the_audit_app_is_adopted_once_on_request(journey, world):
    # Rows the signal did not see (as on a database older than the audit app).
    ChainLink.objects.filter(model="casework.client").delete()
    ChainHead.objects.filter(key__startswith="client:").delete()
    ok, out = run_verify()
    assert not ok
    assert "inserted outside the application" in out

    ok, out = run_verify("--adopt-unchained")

    assert ok, out
    assert "adopted 3 unchained history rows" in out
    services.client_update(user=world.worker, client_id=journey.client_id, data={"phone": "2"})
    assert run_verify()[0]
