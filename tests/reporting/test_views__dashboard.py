"""The indicator dashboard: who may open it, what each role sees, the records behind a number,
and a query count that does not grow with the records."""

import datetime

import pytest
from django.urls import reverse

from community import services as community
from reporting.services import target_set

from ..conftest import new_client


def _forum(world, settlement, guests=2):
    event = community.event_create(
        user=world.worker,
        programme_id=world.programme.pk,
        kind="forum",
        title="Fórum",
        settlement=settlement,
        held_on=datetime.date.today(),
    )
    community.event_record_attendance(
        user=world.worker,
        event_id=event.pk,
        client_ids=[],
        guests=[(f"Guest {n}", settlement) for n in range(guests)],
    )


def _dashboard(client, world):
    return client.get(reverse("reporting:dashboard", args=[world.programme.pk]))


@pytest.mark.django_db
def test_the_programme_admin_sees_the_forum_target_and_the_pace(world, client):
    target_set(
        user=world.admin,
        programme_id=world.programme.pk,
        indicator="forums",
        value=18,
        deadline=world.programme.ends_on,
    )
    _forum(world, "Ózd")
    client.force_login(world.admin)
    page = _dashboard(client, world).content.decode()
    assert "1 / 18" in page
    assert "at this pace:" in page
    assert '<svg class="chart"' in page  # drawn on the server, no CDN


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, status",
    [("admin", 200), ("supervisor", 200), ("worker", 404), ("mentor", 404), ("other_worker", 404)],
)
def test_only_programme_admins_and_supervisors_open_the_report(world, client, who, status):
    client.force_login(getattr(world, who))
    assert _dashboard(client, world).status_code == status


@pytest.mark.django_db
def test_a_supervisor_sees_only_their_organisations_figures(world, client):
    _forum(world, "Ózd")
    other_event = community.event_create(
        user=world.other_worker,
        programme_id=world.programme.pk,
        kind="forum",
        title="Más",
        settlement="Miskolc",
        held_on=datetime.date.today(),
    )
    assert other_event
    client.force_login(world.other_supervisor)
    page = client.get(reverse("reporting:records", args=[world.programme.pk, "forums"]))
    assert "Miskolc" in page.content.decode()
    assert "Ózd" not in page.content.decode().split("<table>")[1]


@pytest.mark.django_db
def test_the_records_behind_a_number_show_case_numbers_not_client_files(world, client):
    from casework import services

    from ..journey import complete_intake

    person = new_client(world, family_name="Sentinelname")
    case = services.case_open(
        user=world.worker, client_id=person.pk, programme_id=world.programme.pk
    )
    complete_intake(case, world)
    services.plan_save(
        user=world.mentor, case_id=case.pk, summary="x", client_agreed_on=datetime.date.today()
    )
    client.force_login(world.admin)
    page = client.get(reverse("reporting:records", args=[world.programme.pk, "participants"]))
    body = page.content.decode()
    assert case.number in body
    assert "Sentinelname" not in body
    assert (
        client.get(reverse("reporting:records", args=[world.programme.pk, "nonsense"])).status_code
        == 404
    )


@pytest.mark.django_db
def test_the_dashboard_costs_the_same_queries_for_one_forum_or_many(
    world, client, django_assert_num_queries
):
    client.force_login(world.admin)
    _forum(world, "Ózd")
    _dashboard(client, world)  # warm the session and content types
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        _dashboard(client, world)
    for n in range(6):
        _forum(world, f"Falu {n}", guests=3)
    with django_assert_num_queries(len(few.captured_queries)):
        _dashboard(client, world)


# The session, its user, the programme, the targets, the partner organisations (the
# supervisor's own first; the programme admin's consortium: their ids, then the rows), 14 for
# the 45 indicators (one per base of records they share) and 2 for the special categories'
# breakdowns. (85 and 84 when every ESF+ indicator took its own two queries; 31 and 30 when a
# base of distinct counts took two; 25 and 24 when each special category took two; 23 for the
# admin when the programme was found through the admin's organisation row.)
QUERIES = {"admin": 22, "supervisor": 22}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin", "supervisor"])
def test_the_dashboard_asks_the_indicators_over_the_same_records_together(
    world, client, django_assert_num_queries, who
):
    """The 45 indicators share 14 bases (reporting.passes): one grouped query for each of the
    8 that count rows or sum, two for each of the 6 that count distinct people."""
    _forum(world, "Ózd")
    client.force_login(getattr(world, who))
    _dashboard(client, world)  # warm the session and content types
    with django_assert_num_queries(QUERIES[who]):
        _dashboard(client, world)
