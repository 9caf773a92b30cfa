"""The ESF+ data sheet's disability and minority columns: the answer's code only on the rows
whose case the requesting user may see the category of (privacy's rule), empty on the others
and for every role not entitled (a programme admin); the header says so; the sheet stays one
query whatever the number of participants."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from casework.models import Programme
from casework.roles import Role
from privacy.models import SpecialCategoryRecord
from reporting import datasheet
from reporting.indicators import Scope

from ..factories import staff
from ..journey import TODAY
from .test_special_breakdowns__suppression import _participants

pytestmark = pytest.mark.django_db

DISABILITY, MINORITY = -2, -1


@pytest.fixture
def special_cohort(world):
    """In ``world.org``: two of ``world.worker``'s participants (disability yes and minority
    declined; nothing recorded) and one of a second social worker's (disability no); one
    participant of the other organisation (minority yes)."""
    (answered, silent) = _participants(world, ["yes", None], category="disability")
    SpecialCategoryRecord.objects.create(
        client_id=answered.client_id, category="ethnicity", answer="declined"
    )
    colleague = staff(Role.SOCIAL_WORKER, world.org, username="colleague")
    (colleagues,) = _participants(world, ["no"], category="disability", worker=colleague)
    (elsewhere,) = _participants(world, ["yes"], worker=world.other_worker)
    return {
        "answered": answered.number,
        "silent": silent.number,
        "colleagues": colleagues.number,
        "elsewhere": elsewhere.number,
    }


def _scope(world):
    return Scope(programme=Programme.objects.get(pk=world.programme.pk), as_of=TODAY)


def _special(rows) -> dict[str, tuple]:
    return {row[0]: (row[DISABILITY], row[MINORITY]) for row in rows}


def test_the_social_worker_sees_the_codes_on_their_own_cases_only(world, special_cohort):
    rows = datasheet.datasheet_rows(scope=_scope(world), user=world.worker)
    assert _special(rows) == {
        special_cohort["answered"]: ("yes", "declined"),
        special_cohort["silent"]: ("", ""),
        special_cohort["colleagues"]: ("", ""),  # not their case
        special_cohort["elsewhere"]: ("", ""),
    }


def test_the_programme_admin_sees_no_special_category_on_any_row(world, special_cohort):
    rows = datasheet.datasheet_rows(scope=_scope(world), user=world.admin)
    assert set(_special(rows).values()) == {("", "")}
    assert len(rows) == 4


def test_without_a_user_the_columns_are_empty(world, special_cohort):
    rows = datasheet.datasheet_rows(scope=_scope(world))
    assert set(_special(rows).values()) == {("", "")}


def _xlsx(client, world):
    response = client.get(reverse("reporting:esf_datasheet", args=[world.programme.pk, "xlsx"]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


def test_the_supervisor_sees_the_codes_of_their_organisations_cases(world, client, special_cohort):
    client.force_login(world.supervisor)
    _header, *rows = _xlsx(client, world).iter_rows(values_only=True)
    assert _special(rows) == {
        special_cohort["answered"]: ("yes", "declined"),
        special_cohort["silent"]: (None, None),
        special_cohort["colleagues"]: ("no", None),
    }


def test_the_programme_admins_export_says_why_the_columns_are_empty(world, client, special_cohort):
    client.force_login(world.admin)
    sheet = _xlsx(client, world)
    header, *rows = sheet.iter_rows(values_only=True)
    assert header[DISABILITY] == "disability (shown only to entitled staff)"
    assert header[MINORITY] == "minority, including the Roma (shown only to entitled staff)"
    assert "entitled to see them" in sheet.cell(row=1, column=len(header)).comment.text
    assert {(row[DISABILITY], row[MINORITY]) for row in rows} == {(None, None)}
    response = client.get(reverse("reporting:esf_datasheet", args=[world.programme.pk, "csv"]))
    header, *lines = csv.reader(io.StringIO(response.content.decode()))
    assert header[MINORITY].endswith("(shown only to entitled staff)")
    assert {(line[DISABILITY], line[MINORITY]) for line in lines} == {("", "")}


def test_the_header_note_is_translated(world, client, special_cohort):
    client.force_login(world.admin)
    response = client.get(
        reverse("reporting:esf_datasheet", args=[world.programme.pk, "csv"]),
        HTTP_ACCEPT_LANGUAGE="sk",
    )
    header = next(csv.reader(io.StringIO(response.content.decode())))
    assert header[DISABILITY] == "zdravotné postihnutie (len pre oprávnených pracovníkov)"


@pytest.mark.parametrize("who", ["worker", "admin", "supervisor"])
def test_the_special_columns_add_no_query_per_row(
    world, special_cohort, who, django_assert_num_queries
):
    scope = _scope(world)

    def fresh():
        # The user as a request loads it: roles and organisation not yet read.
        return get_user_model().objects.get(pk=getattr(world, who).pk)

    user = fresh()
    datasheet.datasheet_rows(scope=scope, user=user)
    with django_assert_num_queries(1):  # the rows; roles and organisation read once per user
        datasheet.datasheet_rows(scope=scope, user=user)
    user = fresh()
    with django_assert_num_queries(3):
        few = datasheet.datasheet_rows(scope=scope, user=user)
    _participants(world, ["yes", "no", "declined"], category="disability")
    user = fresh()
    with django_assert_num_queries(3):
        many = datasheet.datasheet_rows(scope=scope, user=user)
    assert len(many) == len(few) + 3
