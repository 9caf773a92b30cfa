"""Importing a client register: the preview names every bad row and column and every possible
duplicate; the confirmation writes all rows (with history: the importer, reason ``import`` and
the file's name, chained in the audit trail) or none."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.utils import timezone

from audit import verify
from audit.models import ChainLink
from casework import register_import
from casework.models import Client, ClientImport
from kernel.errors import GuardFailed, InvalidInput, NotAllowed, NotFound

from ..conftest import new_client
from ..register_files import EN, csv_file, file_row_number, register_rows, xlsx_file

pytestmark = pytest.mark.django_db


def stage(user, content, name="register.xlsx"):
    return register_import.client_import_stage(user=user, file_name=name, content=content)


def confirm(user, staged, **kwargs):
    return register_import.client_import_confirm(user=user, import_id=staged.pk, **kwargs)


@pytest.mark.parametrize(
    ("name", "build"), [("register.xlsx", xlsx_file), ("register.csv", csv_file)]
)
def test_a_valid_file_imports_every_row_with_history_by_the_importer_and_the_file_name(
    world, name, build
):
    rows = register_rows(12)
    staged = stage(world.supervisor, build(rows), name=name)

    assert staged.problems == [] and staged.duplicates == []
    imported = confirm(world.supervisor, staged)

    assert imported == 12
    clients = Client.objects.filter(organisation=world.org).order_by("given_name")
    assert [c.given_name for c in clients] == sorted(r["given_name"] for r in rows)
    first = clients.get(given_name=rows[1]["given_name"])
    assert (first.gender, first.birth_date) == ("female", datetime.date(1961, 2, 2))
    assert first.family_key == "szabo"  # folded for search, as save() would
    assert first.target_groups == ["long_term_unemployed", "young_person"]
    history = Client.history.filter(organisation=world.org)
    assert history.count() == 12
    assert {(h.history_user_id, h.history_change_reason, h.history_type) for h in history} == {
        (world.supervisor.pk, f"import: {name}", "+")
    }
    assert not ClientImport.objects.exists()  # the staged rows go once imported


def test_imported_rows_enter_the_audit_chain_and_it_verifies(world):
    new_client(world, family_name="Már", given_name="Itt")  # a chain written one row at a time
    confirm(world.admin, stage(world.admin, xlsx_file(register_rows(20))))

    links = ChainLink.objects.filter(model="casework.client", reason_code="import")
    assert links.count() == 20
    assert {link.head.key for link in links} == {
        f"client:{pk}"
        for pk in Client.objects.filter(given_name__contains=" ").values_list("pk", flat=True)
    }
    report = verify.verify()
    assert report.ok, [problem.describe() for problem in report.problems]


def test_a_bad_row_is_named_by_row_and_column_and_confirming_refuses_writing_nothing(world):
    rows = register_rows(6, bad={2: {"birth_year": 1850}, 4: {"gender": "talán"}})
    staged = stage(world.supervisor, xlsx_file(rows))

    named = {(p["row"], p["column"]) for p in staged.problems}
    assert named == {(file_row_number(2), "Születési év"), (file_row_number(4), "Nem")}
    by_row = {p["row"]: " ".join(p["messages"]) for p in staged.problems}
    assert "between" in by_row[file_row_number(2)]  # the model's own rule and message
    assert "not a valid choice" in by_row[file_row_number(4)]
    with pytest.raises(GuardFailed) as refused:
        confirm(world.supervisor, staged)

    assert "Rows 4, 6 have errors" in str(refused.value)
    assert not Client.objects.exists()
    assert not Client.history.exists()


def test_possible_duplicates_in_the_organisation_and_in_the_file_are_named(world):
    rows = register_rows(5)
    existing = new_client(
        world,
        family_name=rows[0]["family_name"].upper(),
        given_name=rows[0]["given_name"].replace("á", "a"),
        birth_year=rows[0]["birth_year"],
    )
    # The same person in another organisation is not a duplicate for this one.
    rows.append(dict(rows[3], phone="other"))  # file row 7 repeats file row 5
    staged = stage(world.supervisor, csv_file(rows, header=EN), name="r.csv")

    assert [(d["row"], d.get("client_id"), d.get("other_row")) for d in staged.duplicates] == [
        (2, existing.pk, None),
        (7, None, 5),
    ]
    with pytest.raises(GuardFailed) as refused:
        confirm(world.supervisor, staged)
    assert "Rows 2, 7 may be clients already registered" in str(refused.value)
    assert Client.objects.count() == 1

    assert confirm(world.supervisor, staged, accept_duplicates=True) == 6


def test_a_name_in_another_organisation_is_no_duplicate(world):
    rows = register_rows(1)
    staged_other = stage(world.other_supervisor, xlsx_file(rows))
    confirm(world.other_supervisor, staged_other)

    assert stage(world.supervisor, xlsx_file(rows)).duplicates == []


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("worker", False), ("mentor", False), ("supervisor", True), ("admin", True)],
)
def test_only_supervisors_and_programme_admins_import(world, role, allowed):
    user = getattr(world, role)
    content = xlsx_file(register_rows(2))
    if not allowed:
        with pytest.raises(NotAllowed):
            stage(user, content)
        return
    assert confirm(user, stage(user, content)) == 2
    assert set(Client.objects.values_list("organisation", flat=True)) == {world.org.pk}


def test_a_staged_import_is_only_its_uploaders(world):
    staged = stage(world.supervisor, xlsx_file(register_rows(2)))

    for other in (world.supervisor2, world.other_supervisor):
        with pytest.raises(NotFound):
            register_import.client_import_get(user=other, import_id=staged.pk)
        with pytest.raises(NotFound):
            confirm(other, staged)
    assert not Client.objects.exists()


def test_a_new_upload_replaces_the_uploaders_earlier_preview(world):
    first = stage(world.supervisor, xlsx_file(register_rows(2)))
    second = stage(world.supervisor, xlsx_file(register_rows(3)))

    assert list(ClientImport.objects.values_list("pk", flat=True)) == [second.pk]
    with pytest.raises(NotFound):
        confirm(world.supervisor, first)


def test_stale_staged_imports_are_purged_and_recent_ones_kept(world):
    old = stage(world.supervisor, xlsx_file(register_rows(2)))
    recent = stage(world.admin, xlsx_file(register_rows(2)))
    ClientImport.objects.filter(pk=old.pk).update(
        uploaded_at=timezone.now() - register_import.STALE_AFTER - datetime.timedelta(hours=1)
    )

    assert register_import.purge_stale_imports(apply=False) == 1
    assert register_import.purge_stale_imports() == 1
    assert list(ClientImport.objects.values_list("pk", flat=True)) == [recent.pk]


# --------------------------------------------------------------------------------------------
# All or nothing, at the size of a real register
# --------------------------------------------------------------------------------------------

BIG = 10_000
FAILING = 9_998  # the 9,999th row


@pytest.fixture
def big_import(world):
    return stage(world.supervisor, csv_file(register_rows(BIG)), name="big.csv")


def _nothing_written():
    return (
        not Client.objects.exists()
        and not Client.history.exists()
        and not ChainLink.objects.filter(model="casework.client").exists()
    )


def test_a_row_that_passed_the_preview_but_fails_at_confirmation_leaves_no_row(world, big_import):
    # The rules are checked again on confirmation: here the row is changed behind the preview's
    # back, as a rule that changed meanwhile (the year's range moves on 1 January) would.
    big_import.rows[FAILING]["values"]["birth_year"] = 1850
    big_import.save()

    with pytest.raises(InvalidInput) as refused:
        confirm(world.supervisor, big_import)

    assert f"Row {file_row_number(FAILING)}, year of birth" in str(refused.value)
    assert _nothing_written()
    assert ClientImport.objects.filter(pk=big_import.pk).exists()


def test_a_database_error_at_row_9999_of_10000_leaves_no_row(world, big_import):
    marker = register_rows(BIG)[FAILING]["given_name"]

    def cells(params):
        # PostgreSQL's bulk INSERT binds one array per column (UNNEST), SQLite one value each.
        for param in params or ():
            yield from (cells(param) if isinstance(param, list | tuple) else [param])

    def fail_on_the_row(execute, sql, params, many, context):
        if "historicalclient" in sql.lower() and marker in cells(params):
            raise IntegrityError("injected failure at row 9,999")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_on_the_row), pytest.raises(IntegrityError):
        confirm(world.supervisor, big_import)

    assert _nothing_written()
    assert ClientImport.objects.filter(pk=big_import.pk).exists()
    assert confirm(world.supervisor, big_import) == BIG  # the same import, without the fault
    assert Client.history.filter(history_change_reason="import: big.csv").count() == BIG


def test_a_cell_the_field_cannot_read_is_an_error_of_its_column_not_a_crash(world):
    rows = register_rows(2, bad={0: {"birth_year": "abc", "birth_date": "31.02.1990"}})

    staged = stage(world.supervisor, csv_file(rows), name="r.csv")

    assert {(p["row"], p["column"]) for p in staged.problems} == {
        (2, "Születési év"),
        (2, "Születési dátum"),
    }
    assert staged.rows[0]["values"]["birth_year"] == "abc"  # shown as it was in the file


def test_the_retention_purge_command_deletes_stale_staged_imports(world):
    stale = stage(world.supervisor, xlsx_file(register_rows(2)))
    ClientImport.objects.filter(pk=stale.pk).update(
        uploaded_at=timezone.now() - register_import.STALE_AFTER - datetime.timedelta(days=1)
    )
    out = StringIO()

    call_command("purge_expired", stdout=out)
    assert "would delete 1 staged client import(s)" in out.getvalue()
    assert ClientImport.objects.exists()

    call_command("purge_expired", "--apply", "--user", world.supervisor.username, stdout=out)
    assert "deleted 1 staged client import(s)" in out.getvalue()
    assert not ClientImport.objects.exists()
