"""Property-based run of the API against its own OpenAPI schema.

schemathesis turns every operation of ``/api/schema/`` into a hypothesis strategy of requests:
valid ones, and (negative mode) ones that break the schema (wrong types, missing or unknown
fields, out-of-range numbers, odd path segments). Hypothesis also draws who sends the request
(each role, another organisation, anonymous, a bogus token) and, half of the time, swaps the
generated ids for ids of real records, so that requests reach the services and not only the 404
path. Every answer must:

- never be a 5xx;
- leave the database exactly as it was when it is a 4xx (nothing written on rejected input);
- use a status code the schema documents for the operation, with a body matching the schema;
- be a 4xx when the request broke the schema.

Used by ``tests/api/test_fuzz__schema.py`` (a few dozen requests per operation) and by
``manage.py api_fuzz --examples 1000``. It needs the test extras (schemathesis).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.signals import got_request_exception
from django.db import connection
from django.test.client import ClientHandler

# Where generated ids may be replaced by ids of real records.
PATH_ID_KINDS = {
    "case_id": "case",
    "client_id": "client",
    "goal_id": "goal",
    "attendance_id": "attendance",
    "follow_up_id": "follow_up",
    "referral_id": "referral",
    "session_id": "session",
    "notification_id": "notification",
}
BODY_ID_KINDS = {
    "case": "case",
    "client": "client",
    "programme": "programme",
    "mentor": "mentor",
    "partner": "partner",
    "referred_to": "partner",
}
WRITTEN_APPS = ("casework", "viewflow", "notifications")
MAX_ID = 10**18 - 1  # api.serializers.MAX_ID, without importing the API at module load


class WSGIApp:
    """Django as a WSGI callable that keeps the caller's database connection (and so the test
    transaction), like Django's test client does, and remembers any unhandled exception."""

    def __init__(self) -> None:
        self.handler = ClientHandler(enforce_csrf_checks=True)
        self.last_exception: str | None = None

    def __call__(self, environ, start_response):
        self.last_exception = None
        response = self.handler(environ)
        headers = [(name, str(value)) for name, value in response.items()]
        headers += [
            ("Set-Cookie", cookie.output(header="").strip()) for cookie in response.cookies.values()
        ]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [response.content]

    def record_exception(self, sender=None, request=None, **kwargs) -> None:
        self.last_exception = "".join(traceback.format_exception(*sys.exc_info()))


def openapi_schema() -> dict:
    """The schema /api/schema/ serves, as plain JSON data."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))


def _fingerprint_sql() -> str:
    """One query counting the rows of every table a request could write, and the notifications
    read. History tables only grow and every domain save adds a history row, so equal counts
    before and after mean nothing was written."""
    quote = connection.ops.quote_name
    counts = []
    for app_label in WRITTEN_APPS:
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True):
            if not model._meta.proxy and model._meta.managed:
                counts.append(f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})")
    from notifications.models import Notification

    counts.append(
        f"(SELECT COUNT(*) FROM {quote(Notification._meta.db_table)} "
        f"WHERE {quote('read_at')} IS NOT NULL)"
    )
    return "SELECT " + ", ".join(counts)


@dataclass
class Failure:
    kind: str
    request: str
    status: int
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.request} -> {self.status}\n{self.detail}"


@dataclass
class OperationReport:
    label: str
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: dict[str, Failure] = field(default_factory=dict)  # one example per kind

    def summary(self) -> str:
        statuses = " ".join(f"{code}:{n}" for code, n in sorted(self.statuses.items()))
        return f"{self.label:<62} {self.requests:>6} requests  {statuses}"


@contextmanager
def _quiet_request_log() -> Iterator[None]:
    """Each 4xx would log a line; the report says what matters."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


class Fuzzer:
    """``actors`` maps a name to the Authorization header it sends (``None``: anonymous);
    ``ids`` maps a kind (``case``, ``goal``, ...) to ids of real records."""

    def __init__(self, *, actors: dict[str, str | None], ids: dict[str, list[int]]) -> None:
        import schemathesis

        self.actors = actors
        self.ids = {kind: sorted(set(values)) for kind, values in ids.items() if values}
        self.schema = schemathesis.openapi.from_dict(openapi_schema())
        self.app = WSGIApp()
        self._sql = _fingerprint_sql()

    def operations(self, only: str = "") -> list:
        operations = [result.ok() for result in self.schema.get_all_operations()]
        return [op for op in operations if only.lower() in op.label.lower()]

    def fingerprint(self) -> tuple:
        with connection.cursor() as cursor:
            cursor.execute(self._sql)
            return tuple(cursor.fetchone())

    # -- one operation ------------------------------------------------------------------------

    def run(self, operation, *, examples: int, seed: int = 0, max_rounds: int = 20):
        """Send at least ``examples`` generated requests to ``operation`` (hypothesis stops
        early when it has exhausted a small input space: it is then run again, reseeded)."""
        report = OperationReport(operation.label)
        got_request_exception.connect(self.app.record_exception)
        try:
            with _quiet_request_log():
                for round_ in range(max_rounds):
                    if report.requests >= examples:
                        break
                    self._round(operation, report, examples - report.requests, seed + round_)
        finally:
            got_request_exception.disconnect(self.app.record_exception)
        return report

    def _strategy(self, operation):
        from hypothesis import strategies as st
        from schemathesis import GenerationMode

        strategies = [operation.as_strategy(generation_mode=GenerationMode.POSITIVE)]
        if self._has_inputs(operation):
            strategies.append(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        return st.one_of(*strategies)

    @staticmethod
    def _has_inputs(operation) -> bool:
        definition = operation.definition.raw
        return bool(definition.get("parameters") or definition.get("requestBody"))

    def _round(self, operation, report: OperationReport, examples: int, seed: int) -> None:
        from hypothesis import HealthCheck, Phase, given, settings
        from hypothesis import seed as hypothesis_seed
        from hypothesis import strategies as st

        @hypothesis_seed(seed)
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        )
        @given(
            case=self._strategy(operation),
            actor=st.sampled_from(sorted(self.actors)),
            data=st.data(),
        )
        def send(case, actor, data):
            self._use_real_ids(case, data.draw)
            self._send(case, self.actors[actor], report)

        send()

    def _use_real_ids(self, case, draw: Callable) -> None:
        from hypothesis import strategies as st

        def swap(kind: str | None, value: Any) -> Any:
            # Only a valid id is swapped: a request generated to break the schema must stay
            # broken, or its rejection check would be wrong.
            valid = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID
            if kind in self.ids and valid and draw(st.booleans()):
                return draw(st.sampled_from(self.ids[kind]))
            return value

        for name, value in list((case.path_parameters or {}).items()):
            case.path_parameters[name] = swap(PATH_ID_KINDS.get(name), value)
        for name, value in list((case.query or {}).items()):
            case.query[name] = swap(BODY_ID_KINDS.get(name), value)

        def walk(value: Any) -> Any:
            if isinstance(value, dict):
                return {
                    key: swap(BODY_ID_KINDS.get(key), walk(item)) for key, item in value.items()
                }
            if isinstance(value, list):
                return [walk(item) for item in value]
            return value

        if isinstance(case.body, dict | list):
            case.body = walk(case.body)

    def _send(self, case, authorization: str | None, report: OperationReport) -> None:
        from schemathesis.checks import not_a_server_error
        from schemathesis.core.failures import FailureGroup
        from schemathesis.specs.openapi.checks import (
            content_type_conformance,
            negative_data_rejection,
            response_schema_conformance,
            status_code_conformance,
        )

        headers = {"Authorization": authorization} if authorization else {}
        if case.headers:
            case.headers.pop("Authorization", None)
        before = self.fingerprint()
        response = case.call(app=self.app, headers=headers)
        status = response.status_code
        report.requests += 1
        report.statuses[status] += 1
        request = self._describe(case, authorization)
        if status >= 500:
            self._fail(
                report,
                f"server error {status}",
                request,
                status,
                self.app.last_exception or response.text[:2000],
            )
            return
        if status >= 400 and self.fingerprint() != before:
            self._fail(report, "write on rejected input", request, status, response.text[:2000])
        try:
            case.validate_response(
                response,
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                    negative_data_rejection,
                ],
            )
        except FailureGroup as group:
            for failure in group.exceptions:
                self._fail(
                    report,
                    type(failure).__name__,
                    request,
                    status,
                    f"{failure.title}: {failure.message}\n{response.text[:1000]}",
                )
        except AssertionError as error:
            self._fail(report, "check failed", request, status, str(error)[:2000])

    @staticmethod
    def _describe(case, authorization: str | None) -> str:
        body = "" if type(case.body).__name__ == "NotSet" else f" body={case.body!r:.300}"
        who = (authorization or "anonymous")[:18]
        return f"{case.method} {case.formatted_path} query={case.query!r}{body} [{who}]"

    @staticmethod
    def _fail(report: OperationReport, kind: str, request: str, status: int, detail: str):
        report.failures.setdefault(kind, Failure(kind, request, status, detail))
