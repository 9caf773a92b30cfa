"""No endpoint, the admin included, can edit or delete a history row, a chain link or a read-log
entry.

Three checks: what the URL resolver maps to (admin model views, class-based and API views with
their models), and a sweep that sends every unsafe method to every URL pattern, as a supervisor
and as a superuser, proving that no existing history row changed and every chain still verifies.
"""

import hashlib
import json

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from audit import registry, verify
from audit.models import AccessLog, ChainHead, ChainLink, ChainSchema

from ..factories import UserFactory
from .support import busy_case

UNSAFE = ("post", "put", "patch", "delete")


def protected_models() -> set:
    histories = {registry.history_model(model) for model in registry.tracked_models()}
    return histories | {ChainLink, ChainHead, ChainSchema, AccessLog}


def url_patterns(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def view_model(view_class):
    model = getattr(view_class, "model", None)
    queryset = getattr(view_class, "queryset", None)
    serializer = getattr(view_class, "serializer_class", None)
    if model is None and queryset is not None:
        model = queryset.model
    if model is None and serializer is not None:
        model = getattr(getattr(serializer, "Meta", None), "model", None)
    return model


def test_no_history_or_audit_model_is_registered_in_the_admin():
    registered = set(admin.site._registry)
    assert not registered & protected_models()


def test_no_url_maps_to_a_view_that_can_change_or_delete_history():
    protected = protected_models()
    offenders = []
    for route, pattern in url_patterns():
        callback = pattern.callback
        model_admin = getattr(callback, "model_admin", None)
        if model_admin is not None:
            if model_admin.model in protected:
                offenders.append((route, "admin of a history model"))
            # simple-history's admin "revert" form writes a tracked row from an old version,
            # outside the services and without a reason.
            if callback.__name__ == "history_form_view":
                offenders.append((route, "simple-history revert form"))
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if view_class is None or view_model(view_class) not in protected:
            continue
        actions = getattr(callback, "actions", None)
        methods = set(actions) if actions else {m for m in UNSAFE if hasattr(view_class, m)}
        if methods & set(UNSAFE):
            offenders.append((route, f"{view_class.__name__} accepts {sorted(methods)}"))
    assert not offenders


def fingerprint() -> dict:
    """Every existing history row, chain link and read-log entry, hashed. (Chain heads move
    forward with every new history row; ``verify`` checks them.)"""
    state = {}
    for model in sorted(protected_models() - {ChainHead}, key=lambda m: m._meta.label):
        for row in model._default_manager.order_by("pk").values():
            key = (model._meta.label, row[model._meta.pk.attname])
            state[key] = hashlib.sha256(
                json.dumps(row, sort_keys=True, default=str).encode()
            ).hexdigest()
    return state


def sample_path(route: str, ids: dict) -> str | None:
    """A concrete path for ``route``: ids of existing rows for the integer converters."""
    import re

    if route.startswith("^") or "(?P" in route:
        return None
    path = route
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", route):
        value = ids.get(name, 1) if converter in ("int", "id", "") else "x"
        path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path, count=1)
    return "/" + path


@pytest.mark.django_db
def test_every_unsafe_method_on_every_url_leaves_existing_history_untouched(world, case):
    busy_case(case, world)
    ids = {"case_id": case.pk, "client_id": case.client_id, "pk": case.pk, "id": case.pk}
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    before = fingerprint()
    swept = 0
    for user in (world.supervisor, root):
        browser = Client(raise_request_exception=False)
        browser.force_login(user)
        for route, _pattern in url_patterns():
            path = sample_path(route, ids)
            if path is None:
                continue
            for method in UNSAFE:
                getattr(browser, method)(path, data={}, content_type="application/json")
                swept += 1
    after = fingerprint()

    assert swept > 300
    assert {key: digest for key, digest in after.items() if key in before} == before
    assert verify.verify().ok


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["case_timeline", "case_as_of", "case_export_csv", "case_export_json"]
)
def test_the_audit_pages_answer_unsafe_methods_with_method_not_allowed(world, case, client, name):
    from django.urls import reverse

    client.force_login(world.supervisor)
    url = reverse(f"audit:{name}", args=[case.pk])
    for method in UNSAFE:
        assert getattr(client, method)(url).status_code == 405
