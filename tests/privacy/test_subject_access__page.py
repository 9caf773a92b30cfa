"""The readable page: in the client's language (the country of their programme: Hungary
Hungarian, Slovakia Slovak), printable, and itself a trace in the read log."""

import pytest
from django.urls import reverse

from audit.models import AccessAction, AccessLog
from audit.subject_access import REASON, language_of
from casework import services
from casework.models import Country

from ..conftest import new_client
from ..factories import MembershipFactory, ProgrammeFactory


@pytest.fixture
def slovak_case(world):
    programme = ProgrammeFactory(country=Country.SLOVAKIA)
    MembershipFactory(programme=programme, organisation=world.org)
    client = new_client(world, family_name="Horváth", given_name="Ján")
    return services.case_open(user=world.worker, client_id=client.pk, programme_id=programme.pk)


@pytest.mark.django_db
def test_a_hungarian_programmes_client_gets_the_page_in_hungarian(world, case, client):
    client.force_login(world.worker)  # the worker's session stays English

    response = client.get(reverse("privacy:subject_access", args=[case.client_id]))

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "hu"
    assert '<html lang="hu">' in html
    assert "Kovács Anna személyes adatai" in html
    assert "Kivel osztották meg az adatait" in html
    assert "Ügyfelek" in html and "családi név" in html.lower()  # verbose names, field labels
    assert "@media print" in html


@pytest.mark.django_db
def test_a_slovak_programmes_client_gets_the_page_in_slovak(world, slovak_case, client):
    client.force_login(world.worker)

    response = client.get(reverse("privacy:subject_access", args=[slovak_case.client_id]))

    html = response.content.decode()
    assert language_of(slovak_case.client) == "sk"
    assert response["Content-Language"] == "sk"
    assert '<html lang="sk">' in html
    assert "Osobné údaje: Horváth Ján" in html
    assert "Komu boli vaše údaje poskytnuté" in html


@pytest.mark.django_db
def test_the_language_can_be_chosen_for_the_client(world, slovak_case, client):
    client.force_login(world.worker)
    url = reverse("privacy:subject_access", args=[slovak_case.client_id])

    assert client.get(url + "?language=hu")["Content-Language"] == "hu"
    assert client.get(url + "?language=xx")["Content-Language"] == "sk"  # unknown: the client's


@pytest.mark.django_db
def test_the_request_leaves_a_read_log_entry_with_its_reason(world, case, client):
    client.force_login(world.supervisor)

    client.get(reverse("privacy:subject_access", args=[case.client_id]))

    entry = AccessLog.objects.get(user=world.supervisor)
    assert (entry.client_id, entry.action, entry.what) == (
        case.client_id,
        AccessAction.EXPORT,
        REASON,
    )
    assert REASON == "subject_access_request"
