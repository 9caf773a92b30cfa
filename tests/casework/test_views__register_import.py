"""The import pages: upload → preview (errors by row and column, duplicates) → confirm, for
supervisors and programme admins only, the preview in a fixed number of queries."""

from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.models import Client, ClientImport

from ..register_files import csv_file, file_row_number, register_rows, xlsx_file

pytestmark = pytest.mark.django_db

UPLOAD = reverse("register_import:upload")


def logged_in(client, user):
    client.force_login(user)
    return client


def upload(client, content, name="register.xlsx"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})


def preview_url(staged, **query):
    url = reverse("register_import:preview", args=[staged.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize(
    ("who", "status"), [("admin", 200), ("supervisor", 200), ("worker", 404), ("mentor", 404)]
)
def test_the_import_pages_are_for_admins_and_supervisors_only(world, client, who, status):
    client = logged_in(client, getattr(world, who))

    assert client.get(UPLOAD).status_code == status
    assert ("Import clients" in client.get(reverse("casework:home")).content.decode()) is (
        status == 200
    )
    response = upload(client, xlsx_file(register_rows(2)))
    assert response.status_code == (302 if status == 200 else 404)
    assert ClientImport.objects.exists() is (status == 200)


def test_the_preview_names_the_bad_rows_and_columns_and_confirming_refuses(world, client):
    client = logged_in(client, world.supervisor)
    rows = register_rows(8, bad={1: {"birth_year": 1850}, 5: {"gender": "talán"}})

    response = upload(client, xlsx_file(rows))
    staged = ClientImport.objects.get()
    assert response.url == preview_url(staged)
    page = unescape(client.get(response.url).content.decode())

    assert f"<td>{file_row_number(1)}</td><td>Születési év</td>" in page
    assert f"<td>{file_row_number(5)}</td><td>Nem</td>" in page
    assert "2 rows have errors." in page
    assert reverse("register_import:confirm", args=[staged.pk]) not in page  # no import button
    refused = client.post(reverse("register_import:confirm", args=[staged.pk]))
    assert refused.status_code == 400
    assert "Rows 3, 7 have errors" in unescape(refused.content.decode())
    assert not Client.objects.exists()


def test_fixing_the_bad_rows_and_uploading_again_imports_every_row(world, client):
    client = logged_in(client, world.admin)
    upload(client, xlsx_file(register_rows(10, bad={3: {"birth_year": "abc"}})))
    upload(client, xlsx_file(register_rows(10)), name="register-fixed.xlsx")
    staged = ClientImport.objects.get()  # the first upload was replaced

    done = client.post(reverse("register_import:confirm", args=[staged.pk]), follow=True)

    assert "10 clients were imported from register-fixed.xlsx." in unescape(done.content.decode())
    assert Client.objects.filter(organisation=world.org).count() == 10
    assert set(Client.history.values_list("history_change_reason", "history_user")) == {
        ("import: register-fixed.xlsx", world.admin.pk)
    }


def test_duplicates_are_shown_and_imported_only_when_accepted(world, client):
    client = logged_in(client, world.supervisor)
    rows = register_rows(3)
    rows.append(dict(rows[0]))
    upload(client, csv_file(rows), name="r.csv")
    staged = ClientImport.objects.get()
    page = unescape(client.get(preview_url(staged, flagged=1)).content.decode())
    assert "Same name and year of birth as row 2 of this file." in page
    assert "<td>5</td>" in page and "<td>3</td>" not in page  # only the flagged row

    confirm = reverse("register_import:confirm", args=[staged.pk])
    assert client.post(confirm).status_code == 400
    assert not Client.objects.exists()
    assert client.post(confirm, {"accept_duplicates": "on"}).status_code == 302
    assert Client.objects.count() == 4


def test_another_users_staged_import_answers_404(world, client):
    logged_in(client, world.supervisor)
    upload(client, xlsx_file(register_rows(2)))
    staged = ClientImport.objects.get()

    client = logged_in(client, world.supervisor2)
    assert client.get(preview_url(staged)).status_code == 404
    assert client.post(reverse("register_import:confirm", args=[staged.pk])).status_code == 404
    assert client.post(reverse("register_import:discard", args=[staged.pk])).status_code == 404
    assert ClientImport.objects.exists()


def test_a_file_that_cannot_be_read_is_refused_on_the_form(world, client):
    client = logged_in(client, world.supervisor)

    response = upload(client, b"%PDF-1.4", name="register.pdf")

    assert response.status_code == 400
    assert "Upload a CSV or an XLSX file." in unescape(response.content.decode())


def test_discarding_deletes_the_upload(world, client):
    client = logged_in(client, world.supervisor)
    upload(client, xlsx_file(register_rows(2)))

    client.post(reverse("register_import:discard", args=[ClientImport.objects.get().pk]))

    assert not ClientImport.objects.exists()


def _preview_queries(client, rows: int) -> int:
    upload(client, csv_file(register_rows(rows)), name="r.csv")
    url = preview_url(ClientImport.objects.get())
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_preview_costs_the_same_queries_for_a_full_page_as_for_a_few_rows(
    world, client, django_assert_num_queries
):
    client = logged_in(client, world.supervisor)
    few = _preview_queries(client, 3)

    upload(client, csv_file(register_rows(120)), name="r.csv")
    url = preview_url(ClientImport.objects.get(), page=2)
    with django_assert_num_queries(few):
        page = client.get(url)
    assert page.content.decode().count("<td>Ózd</td>") == 50  # a full page of rows


def test_the_pages_are_in_hungarian_and_slovak(world, client):
    client = logged_in(client, world.supervisor)
    upload(client, xlsx_file(register_rows(2, bad={0: {"birth_year": 1850}})))
    url = preview_url(ClientImport.objects.get())
    for language, words in (("hu", "1 sor hibás."), ("sk", "1 riadok obsahuje chyby.")):
        client.cookies["django_language"] = language
        page = unescape(client.get(url, headers={"accept-language": language}).content.decode())
        assert words in page, language
