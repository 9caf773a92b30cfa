"""Helpers for the API tests: a client signed in with a real token, URLs, error assertions and a
fingerprint of every row a refused request must leave untouched."""

from __future__ import annotations

from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient

from api import services as api_services

# Apps whose rows a request may write: the domain and its history, the flow, the notifications.
WRITTEN_APPS = ("casework", "viewflow", "notifications")


def api_client(user=None) -> APIClient:
    """An API client authenticated with a fresh token of ``user`` (anonymous without one)."""
    client = APIClient()
    if user is not None:
        _token, key = api_services.token_create(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def url(name: str, *args) -> str:
    return reverse(f"api:{name}", args=args)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:2000])
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"], body
    return body


def db_fingerprint() -> dict[str, tuple]:
    """Per table: the number of rows and the values of every row (history tables: the count,
    since they only grow). Equal before and after means nothing was written."""
    state = {}
    for app_label in WRITTEN_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.proxy:
                continue
            rows = model._default_manager.order_by("pk")
            if model.__name__.startswith("Historical"):
                state[model._meta.label] = (rows.count(),)
            else:
                state[model._meta.label] = tuple(tuple(row.items()) for row in rows.values())
    return state
