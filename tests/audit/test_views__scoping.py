"""Who sees which audit page: out of scope (or without the right) is 404, never 403.

Supervisors: everything for their organisation. Social workers: the case timeline and time
travel. Mentors, programme admins and other organisations: nothing."""

import pytest
from django.urls import reverse

from audit.models import ChainLink
from audit.registry import TIMELINE_LABELS
from casework import services
from casework.journey import Stage
from tests.conftest import new_client
from tests.journey import to_stage

CASE_PAGES = ["case_timeline", "case_as_of", "case_export_csv", "case_export_json"]

EXPECTED = {
    "supervisor": {
        "case_timeline": 200,
        "case_as_of": 200,
        "case_export_csv": 200,
        "case_export_json": 200,
        "client_access": 200,
        "organisation_list": 200,
    },
    "supervisor2": {
        "case_timeline": 200,
        "case_as_of": 200,
        "case_export_csv": 200,
        "case_export_json": 200,
        "client_access": 200,
        "organisation_list": 200,
    },
    "worker": {
        "case_timeline": 200,
        "case_as_of": 200,
        "case_export_csv": 404,
        "case_export_json": 404,
        "client_access": 404,
        "organisation_list": 404,
    },
    "mentor": dict.fromkeys([*CASE_PAGES, "client_access", "organisation_list"], 404),
    "admin": dict.fromkeys([*CASE_PAGES, "client_access", "organisation_list"], 404),
    "other_supervisor": {
        **dict.fromkeys([*CASE_PAGES, "client_access"], 404),
        "organisation_list": 200,
    },
    "other_worker": dict.fromkeys([*CASE_PAGES, "client_access", "organisation_list"], 404),
    "other_mentor": dict.fromkeys([*CASE_PAGES, "client_access", "organisation_list"], 404),
}


def url(name, case):
    if name in CASE_PAGES:
        return reverse(f"audit:{name}", args=[case.pk])
    if name == "client_access":
        return reverse("audit:client_access", args=[case.client_id])
    return reverse("audit:organisation_list")


@pytest.fixture
def assigned_case(world, case):
    """At planning: the mentor is assigned, so the case is in the mentor's scope."""
    return to_stage(case, world, Stage.PLANNING)


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_role_reaches_exactly_its_audit_pages(world, assigned_case, client, username):
    client.force_login(getattr(world, username))
    statuses = {
        name: client.get(url(name, assigned_case)).status_code for name in EXPECTED[username]
    }
    assert statuses == EXPECTED[username]


@pytest.mark.django_db
def test_a_missing_case_looks_like_a_case_out_of_scope(world, client):
    client.force_login(world.supervisor)
    assert client.get(reverse("audit:case_timeline", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_log_in(world, case, client):
    response = client.get(url("case_timeline", case))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_the_organisation_list_shows_only_the_supervisors_organisation(world, case, client):
    other_client = services.client_register(
        user=world.other_worker, data={"family_name": "Other", "given_name": "Org"}
    )
    other_case = services.case_open(
        user=world.other_worker, client_id=other_client.pk, programme_id=world.programme.pk
    )
    new_client(world, family_name="Second")  # a client without a case is still in scope

    client.force_login(world.supervisor)
    page = client.get(url("organisation_list", case)).context["page"]

    cases = {row.link.case_id for row in page.rows} - {None}
    clients = {row.link.client_id for row in page.rows}
    assert cases == {case.pk}
    assert other_case.pk not in cases
    assert other_client.pk not in clients
    # Set-up rows (the organisation, its staff profiles) are not casework: not listed.
    assert len(page.rows) == (
        ChainLink.objects.filter(organisation_id=world.org.pk, model__in=TIMELINE_LABELS).count()
    )
    assert {row.link.model for row in page.rows} == {"casework.case", "casework.client"}
