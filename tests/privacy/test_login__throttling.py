"""Account security: login throttling (django-axes) and the second factor (django-otp)."""

import re

import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

LOGIN = "/accounts/login/"
MESSAGE = "Too many failed attempts to log in."
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def attempt(client, username, password="wrong-password", address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_the_eleventh_wrong_password_in_a_row_is_refused_with_a_clear_message(world, client):
    for _ in range(10):
        response = attempt(client, "worker")
        assert response.status_code == 200
        assert MESSAGE not in response.content.decode()
    eleventh = attempt(client, "worker")
    assert eleventh.status_code == 429
    assert MESSAGE in eleventh.content.decode()
    # Refused now even with the right password.
    world.worker.set_password("right-password-123")
    world.worker.save()
    assert attempt(client, "worker", "right-password-123").status_code == 429


@pytest.mark.django_db
def test_unknown_and_known_usernames_get_the_same_answers(world, client):
    def answers(username, address):
        return [
            (r.status_code, CSRF.sub("", r.content.decode().replace(username, "USER")))
            for r in (attempt(client, username, address=address) for _ in range(11))
        ]

    assert answers("worker", "10.0.0.2") == answers("nobody-by-this-name", "10.0.0.3")


@pytest.mark.django_db
def test_one_address_trying_many_accounts_is_throttled_too(world, client):
    for n in range(10):
        attempt(client, f"guess{n}", address="10.0.0.9")
    assert attempt(client, "worker", address="10.0.0.9").status_code == 429
    assert attempt(client, "worker", address="10.0.0.10").status_code == 200


@pytest.mark.django_db
def test_a_successful_login_resets_the_count(world, client):
    world.worker.set_password("right-password-123")
    world.worker.save()
    for _ in range(9):
        attempt(client, "worker")
    assert attempt(client, "worker", "right-password-123").status_code == 302
    client.logout()
    for _ in range(9):
        attempt(client, "worker")
    assert attempt(client, "worker").status_code == 200


def test_sessions_expire_after_30_minutes_of_inactivity(settings):
    assert settings.SESSION_IDLE_MINUTES == 30
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # Renewed at most a minute apart (web/sessions.py; tests/web/test_sessions__renewal.py).
    assert settings.SESSION_RENEW_SECONDS == 60
    assert "web.sessions.IdleSessionMiddleware" in settings.MIDDLEWARE


@pytest.mark.django_db
def test_the_second_factor_is_off_in_test_settings(world, client):
    client.force_login(world.supervisor)
    assert client.get("/").status_code == 200


@pytest.mark.django_db
# No growing wait after the wrong code (django-otp's throttle), so the right one is tried now.
@override_settings(OTP_REQUIRED_ROLES=["supervisor", "programme_admin"], OTP_TOTP_THROTTLE_FACTOR=0)
def test_a_supervisor_must_enter_a_totp_code_when_the_setting_requires_it(world, client):
    device = TOTPDevice.objects.create(user=world.supervisor, name="phone", confirmed=True)
    client.force_login(world.supervisor)
    page = client.get("/")
    assert page.status_code == 302
    assert page["Location"].startswith("/privacy/otp/")
    wrong = client.post("/privacy/otp/", {"token": "000000", "next": "/"})
    assert wrong.status_code == 400
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post("/privacy/otp/", {"token": code, "next": "/"})["Location"] == "/"
    assert client.get("/").status_code == 200


@pytest.mark.django_db
@override_settings(OTP_REQUIRED_ROLES=["supervisor", "programme_admin"])
def test_a_social_worker_needs_no_second_factor_even_when_required_for_supervisors(world, client):
    client.force_login(world.worker)
    assert client.get("/").status_code == 200


@pytest.mark.django_db
@override_settings(OTP_REQUIRED_ROLES=["supervisor", "programme_admin"])
def test_a_supervisor_without_an_authenticator_is_told_to_get_one_set_up(world, client):
    client.force_login(world.supervisor)
    page = client.get("/privacy/otp/")
    assert "no authenticator app is set up" in page.content.decode()
    assert client.get("/cases/").status_code == 302


@pytest.mark.django_db
def test_the_lockout_message_is_in_the_users_language(world, client):
    for _ in range(11):
        response = client.post(
            LOGIN,
            {"username": "worker", "password": "x"},
            REMOTE_ADDR="10.0.1.1",
            HTTP_ACCEPT_LANGUAGE="hu",
        )
    assert response.status_code == 429
    assert "Túl sok sikertelen bejelentkezési kísérlet." in response.content.decode()
