"""Per-user tokens (stored hashed, revocable, made by a command or the admin) and the web UI's
session, with CSRF on every unsafe method."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from api import services as api_services
from api.models import ApiToken, token_digest

from .support import api_client, assert_error, db_fingerprint, url


@pytest.mark.django_db
def test_a_token_is_stored_only_as_a_hash_and_authenticates_its_user(world):
    token, key = api_services.token_create(user=world.mentor, name="phone app")
    assert key.startswith("lps_") and len(key) > 40
    assert token.digest == token_digest(key) and key not in {token.digest, token.prefix}
    for keyword in ["Token", "Bearer"]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
        assert client.get(url("me")).json()["username"] == "mentor"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    ["Token lps_wrong", "Token", "Token a b", "Bearer \u00e9\u00e9", "Token " + "x" * 5000],
)
def test_a_wrong_token_is_401(world, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_error(client.get(url("me")), 401, "authentication_failed")


@pytest.mark.django_db
def test_a_revoked_token_or_an_inactive_user_is_refused(world):
    token, key = api_services.token_create(user=world.worker, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(url("me")).status_code == 200
    api_services.token_revoke(token_id=token.pk)
    assert_error(client.get(url("me")), 401, "authentication_failed")

    _token, key = api_services.token_create(user=world.mentor, name="script")
    world.mentor.is_active = False
    world.mentor.save()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert_error(client.get(url("me")), 401, "authentication_failed")


@pytest.mark.django_db
def test_the_session_of_the_web_ui_works_and_unsafe_methods_need_the_csrf_token(world, case):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.worker)
    assert client.get(url("case_detail", case.pk)).status_code == 200
    before = db_fingerprint()
    response = client.post(
        url("transition_assign_mentor", case.pk), {"mentor": world.mentor.pk}, format="json"
    )
    assert_error(response, 403, "csrf_failed")
    assert db_fingerprint() == before

    client.get("/accounts/login/")  # sets the CSRF cookie, as the UI's pages do
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        url("transition_assign_mentor", case.pk),
        {"mentor": world.mentor.pk},
        format="json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 200, response.content
    assert response.json()["mentor"]["username"] == "mentor"


@pytest.mark.django_db
def test_the_api_token_command_creates_lists_and_revokes_tokens(world):
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", "create", "supervisor", "--name", "reporting", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert ApiToken.objects.get(digest=token_digest(key)).user == world.supervisor
    assert "shown only this once" in err.getvalue()
    assert api_client_for_key(key).get(url("me")).json()["username"] == "supervisor"

    out = io.StringIO()
    call_command("api_token", "list", "supervisor", stdout=out)
    token = ApiToken.objects.get(digest=token_digest(key))
    assert token.prefix in out.getvalue() and "reporting" in out.getvalue()
    assert key not in out.getvalue()

    call_command("api_token", "revoke", str(token.pk), stdout=io.StringIO())
    assert_error(api_client_for_key(key).get(url("me")), 401, "authentication_failed")
    with pytest.raises(CommandError):
        call_command("api_token", "create", "nobody", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("api_token", "revoke", "987654", stdout=io.StringIO())


def api_client_for_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.django_db
def test_me_tells_the_roles_and_the_organisation(world):
    body = api_client(world.supervisor).get(url("me")).json()
    assert body["roles"] == ["supervisor"]
    assert body["organisation"]["name"] == "Ózd Municipality"
    assert body["can_see_special_category"] is True
    # A mentor may be entitled to a category through a plan goal; a programme admin never.
    assert api_client(world.admin).get(url("me")).json()["can_see_special_category"] is False


@pytest.mark.django_db
def test_an_administrator_makes_a_token_in_the_admin_and_sees_it_once(
    world, client, django_user_model
):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    response = client.post(
        "/admin/api/apitoken/add/", {"user": world.worker.pk, "name": "data export"}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="data export")
    shown = [str(message) for message in response.context["messages"]]
    key = next(word for message in shown for word in message.split() if word.startswith("lps_"))
    assert token.digest == token_digest(key) and token.user == world.worker
    assert key not in client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
