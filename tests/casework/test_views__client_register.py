"""The client register page: clients with and without a case, found by name, and a case opened
for a client registered (or imported) before the intake."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.journey import Stage
from casework.models import Case

from ..conftest import new_client

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_the_register_lists_clients_without_a_case_with_a_link_to_open_one(client, world):
    waiting = new_client(world, family_name="Szabó", given_name="Jolán")
    client.force_login(world.worker)

    page = client.get(reverse("casework:client_list"))

    assert page.status_code == 200
    assert "Szabó Jolán" in page.text
    assert "no case yet" in page.text
    assert reverse("casework:client_open_case", args=[waiting.pk]) in page.text


def test_the_register_finds_a_client_without_accents(client, world):
    new_client(world, family_name="Kovács", given_name="Béla")
    new_client(world, family_name="Horváth", given_name="Ilona")
    client.force_login(world.worker)

    page = client.get(reverse("casework:client_list"), {"q": "kovacs"})

    assert "Kovács Béla" in page.text
    assert "Horváth Ilona" not in page.text


def test_the_register_hides_the_clients_of_another_organisation(client, world):
    new_client(world, family_name="Idegen", given_name="Ottó")
    client.force_login(world.other_worker)

    page = client.get(reverse("casework:client_list"))

    assert "Idegen Ottó" not in page.text


def test_the_register_costs_the_same_queries_for_two_clients_and_for_twenty(
    client, world, django_assert_num_queries
):
    client.force_login(world.worker)
    for number in range(2):
        new_client(world, family_name=f"Első{number}")
    client.get(reverse("casework:client_list"))  # warm the session and permission caches
    # The session, the user, the paginator's count, the page of clients, their visible cases
    # and the menu's reads: measured with two clients, then held with twenty.
    with CaptureQueriesContext(connection) as two:
        client.get(reverse("casework:client_list"))
    for number in range(18):
        opened = new_client(world, family_name=f"Második{number}")
        if number % 3 == 0:
            services.case_open(
                user=world.worker, client_id=opened.pk, programme_id=world.programme.pk
            )
    with django_assert_num_queries(len(two.captured_queries)):
        client.get(reverse("casework:client_list"))


def test_a_social_worker_opens_a_case_for_a_registered_client_with_the_paper_date(client, world):
    waiting = new_client(world)
    client.force_login(world.worker)
    intake_day = TODAY - datetime.timedelta(days=7)

    response = client.post(
        reverse("casework:client_open_case", args=[waiting.pk]),
        {"programme": world.programme.pk, "opened_on": intake_day.isoformat()},
    )

    case = Case.objects.get(client=waiting)
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    assert (case.stage, case.opened_on, case.social_worker) == (
        Stage.INTAKE,
        intake_day,
        world.worker,
    )
    row = case.history.get()
    assert (row.history_user, row.history_change_reason) == (world.worker, "case.open")


def test_opening_a_second_case_in_the_same_programme_is_refused_and_writes_nothing(
    client, world, case
):
    client.force_login(world.worker)

    response = client.post(
        reverse("casework:client_open_case", args=[case.client_id]),
        {"programme": world.programme.pk},
    )

    assert response.status_code == 400
    assert "already has an open case" in response.text
    assert Case.objects.filter(client_id=case.client_id).count() == 1


def test_an_intake_date_in_the_future_is_refused(client, world):
    waiting = new_client(world)
    client.force_login(world.worker)

    response = client.post(
        reverse("casework:client_open_case", args=[waiting.pk]),
        {
            "programme": world.programme.pk,
            "opened_on": (TODAY + datetime.timedelta(days=1)).isoformat(),
        },
    )

    assert response.status_code == 400
    assert not Case.objects.filter(client=waiting).exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("worker", 200),
        ("other_worker", 404),  # another organisation's client
        ("mentor", 404),  # mentors do not open cases
        ("supervisor", 404),  # supervisors review; social workers take clients in
        ("admin", 404),
    ],
)
def test_who_may_open_a_case_for_a_registered_client(client, world, who, status):
    waiting = new_client(world)
    client.force_login(getattr(world, who))

    response = client.get(reverse("casework:client_open_case", args=[waiting.pk]))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("worker", 200), ("mentor", 200), ("supervisor", 200), ("admin", 404)],
)
def test_who_sees_the_client_register(client, world, who, status):
    client.force_login(getattr(world, who))

    assert client.get(reverse("casework:client_list")).status_code == status
