"""A client typed in twice: registering a client of the organisation with the same name
(accents and case aside) and year of birth is refused unless the user says it is another
person; the intake registers the client and opens the case, both or neither."""

import datetime

import pytest
from django.urls import reverse

from casework import services
from casework.models import Case, Client
from kernel.errors import InvalidInput
from tests.conftest import COMPLETE_CLIENT

pytestmark = pytest.mark.django_db


def register(world, user=None, accept_duplicate=False, **overrides):
    return services.client_register(
        user=user or world.worker,
        data={**COMPLETE_CLIENT, **overrides},
        accept_duplicate=accept_duplicate,
    )


def test_the_same_name_and_year_again_is_refused_and_writes_nothing(world):
    first = register(world)
    history_rows = Client.history.count()
    with pytest.raises(InvalidInput) as error:
        register(world, family_name="KOVACS", given_name="anna")
    (message,) = error.value.field_errors["accept_duplicate"]
    assert "Kovács Anna" in message or "Anna Kovács" in message
    assert "1990" in message
    assert list(Client.objects.values_list("pk", flat=True)) == [first.pk]
    assert Client.history.count() == history_rows


def test_the_user_may_register_another_person_of_the_same_name_and_year(world):
    register(world)
    second = register(world, accept_duplicate=True)
    assert Client.objects.filter(organisation=world.org).count() == 2
    row = second.history.get()
    assert (row.history_user, row.history_change_reason) == (world.worker, "client.register")


def test_another_year_or_another_organisation_is_no_duplicate(world):
    register(world)
    register(world, birth_year=1991)
    register(world, user=world.other_worker)  # Kovács Anna 1990 of another organisation
    assert Client.objects.count() == 3


def test_the_intake_page_offers_the_box_and_opens_the_case_once_it_is_ticked(world, client):
    register(world)
    client.force_login(world.worker)
    data = {**COMPLETE_CLIENT, "programme": world.programme.pk}
    response = client.post(reverse("casework:intake_new"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["accept_duplicate"]
    assert 'type="checkbox" name="accept_duplicate"' in response.content.decode()
    assert Client.objects.count() == 1 and not Case.objects.exists()

    response = client.post(reverse("casework:intake_new"), {**data, "accept_duplicate": "on"})
    assert response.status_code == 302
    assert Client.objects.count() == 2
    assert Case.objects.get().client.pk != Client.objects.order_by("pk").first().pk


def test_a_refused_intake_date_leaves_no_client_behind(world, client):
    client.force_login(world.worker)
    too_early = world.programme.starts_on - datetime.timedelta(days=1)
    data = {**COMPLETE_CLIENT, "programme": world.programme.pk, "opened_on": too_early}
    response = client.post(reverse("casework:intake_new"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["opened_on"]
    assert not Client.objects.exists()
    assert not Client.history.exists()

    # Corrected, the same form goes through: no duplicate of a half-saved first try.
    response = client.post(reverse("casework:intake_new"), {**data, "opened_on": ""})
    assert response.status_code == 302
    assert Client.objects.count() == 1


def test_the_api_refuses_a_duplicate_unless_told_it_is_another_person(world, client):
    register(world)
    client.force_login(world.worker)
    url = reverse("api:client_list")
    response = client.post(url, COMPLETE_CLIENT, content_type="application/json")
    assert response.status_code == 400
    assert "accept_duplicate" in response.content.decode()
    body = {**COMPLETE_CLIENT, "accept_duplicate": True}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201
    assert Client.objects.count() == 2
