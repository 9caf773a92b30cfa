"""The sentinel test (issue 12): special-category values leave no trace for unentitled roles.

Unique sentinel values are planted in every special-category field (the fields the record of
processing marks special on ``privacy.SpecialCategoryRecord``, live row and history) of one
client. Then, for each role not entitled to a category, every route of the URL resolver (pages
and API) is fetched with the planted client's ids in its path parameters, and every response,
notification, e-mail (the digests included), export and captured log line is searched for the
sentinels. The count of hits is printed and must be 0. The entitled roles do see them on the
case page, so the search would find a leak.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
import zipfile

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from casework import services
from casework.journey import Stage
from casework.roles import Role
from community import services as community_services
from notifications.models import Notification
from privacy import registry, special
from privacy import services as privacy_services
from privacy.models import Answer, Minority, SpecialCategory, SpecialCategoryRecord
from reporting.indicators import INDICATORS

from ..conftest import TODAY
from ..factories import staff
from ..journey import to_stage

pytestmark = pytest.mark.django_db(transaction=False)

SPECIAL_MODEL = "privacy.specialcategoryrecord"


def _token() -> str:
    # Ten characters: the longest a choice column (answer, minority) holds on PostgreSQL.
    return "q" + secrets.token_hex(4) + "z"


def _plant(world, case) -> dict[str, dict[str, str]]:
    """Record every category through the services (with a correction, so the history holds
    a reason), then overwrite each special field, live and in every history row, with a
    sentinel. Returns {category: {field: sentinel}}."""
    planted: dict[str, dict[str, str]] = {}
    for category in SpecialCategory.values:
        ethnicity = category == SpecialCategory.ETHNICITY
        minority = Minority.ROMA if ethnicity else ""
        note, reason = _token(), _token()
        privacy_services.special_category_record(
            user=world.worker,
            case=case,
            category=category,
            answer=Answer.YES,
            minority=minority,
            note="first version",
        )
        privacy_services.special_category_record(
            user=world.worker,
            case=case,
            category=category,
            answer=Answer.YES,
            minority=minority,
            note=note,
            reason=reason,
        )
        # A choice column takes a sentinel only behind the service's back; the check
        # constraint lets the minority be set only on an ethnicity answered yes.
        choice = {"minority": _token()} if ethnicity else {"answer": _token()}
        record = SpecialCategoryRecord.objects.get(client_id=case.client_id, category=category)
        SpecialCategoryRecord.objects.filter(pk=record.pk).update(**choice)
        SpecialCategoryRecord.history.filter(id=record.pk).update(
            note=note, correction_reason=reason, **choice
        )
        planted[category] = {"note": note, "correction_reason": reason, **choice}
    return planted


def _world_around(world, case):
    """Records of every kind around the planted case, so every path parameter has an id."""
    services.referral_create(
        user=world.worker,
        case_id=case.pk,
        partner_id=world.labour_office.pk,
        purpose="Job-search help",
    )
    event = community_services.event_create(
        user=world.worker,
        programme_id=world.programme.pk,
        kind="forum",
        title="Community forum",
        settlement="Ózd",
        held_on=TODAY,
    )
    community_services.event_record_attendance(
        user=world.worker, event_id=event.pk, client_ids=[case.client_id], guests=[]
    )
    return event


def _route_templates():
    """Every URL pattern of the site, as one string per route (route or regex syntax)."""

    def walk(resolver, prefix):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return list(walk(get_resolver(), ""))


ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_PARAM = re.compile(r"\(\?P<(?P<name>[^>]+)>[^)]*\)")


def _paths(template: str, values: dict[str, list[str]]) -> list[str]:
    """Concrete paths for a route: each path parameter takes each of its values."""
    names = [m["name"] for m in ROUTE_PARAM.finditer(template)]
    names += [m["name"] for m in REGEX_PARAM.finditer(template)]
    paths = [template]
    for name in names:
        choices = values.get(name, ["1"])
        expanded = []
        for path in paths:
            for value in choices:
                done = ROUTE_PARAM.sub(
                    lambda m, v=value, n=name: v if m["name"] == n else m[0], path
                )
                done = REGEX_PARAM.sub(
                    lambda m, v=value, n=name: v if m["name"] == n else m[0], done
                )
                expanded.append(done)
        paths = expanded
    cleaned = []
    for path in paths:
        path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
        path = path.replace("[sS]*", "anything")
        cleaned.append("/" + path)
    return cleaned


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":  # an xlsx export: search every part of the archive
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            body = b"".join(archive.read(name) for name in archive.namelist())
    headers = " ".join(f"{k}: {v}" for k, v in response.items())
    return headers + body.decode("utf-8", errors="replace")


def _hits(text: str, sentinels: set[str]) -> list[str]:
    lowered = text.lower()
    return [s for s in sentinels if s in lowered]


def test_unentitled_roles_find_no_trace_of_special_category_values(world, case, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    case = to_stage(case, world, Stage.PLANNING)  # approved plan: one employment goal
    case = to_stage(case, world, Stage.FOLLOW_UP)
    event = _world_around(world, case)
    planted = _plant(world, case)

    # Every special field of the record of processing carries a sentinel somewhere.
    special_fields = set(registry.special_category_fields()[SPECIAL_MODEL])
    assert {field for fields in planted.values() for field in fields} == special_fields

    same_org_worker = staff(Role.SOCIAL_WORKER, world.org, username="worker_next_desk")
    # The case's mentor works on an employment goal: disability is the one category granted.
    unentitled = {
        "mentor (case's, employment goal)": (world.mentor, {SpecialCategory.DISABILITY}),
        "mentor of another case": (world.mentor2, set()),
        "social worker not on the case": (same_org_worker, set()),
        "programme admin": (world.admin, set()),
        "social worker of another organisation": (world.other_worker, set()),
        "supervisor of another organisation": (world.other_supervisor, set()),
        "mentor of another organisation": (world.other_mentor, set()),
    }
    for _label, (user, allowed) in unentitled.items():
        assert set(special.visible_categories(user, case)) == allowed

    from workflows.models import CaseProcess

    process = CaseProcess.objects.filter(artifact_object_id=case.pk).first()
    tasks = list(process.task_set.values_list("pk", flat=True)) if process else []
    plan = case.plan
    values = {
        "case_id": [str(case.pk)],
        "client_id": [str(case.client_id)],
        "goal_id": [str(pk) for pk in plan.goals.values_list("pk", flat=True)],
        "session_id": [str(a.session_id) for a in case.attendance.all()[:1]],
        "attendance_id": [str(a.pk) for a in case.attendance.all()[:1]],
        "follow_up_id": [str(f.pk) for f in case.follow_ups.all()],
        "referral_id": [str(r.pk) for r in case.referrals.all()],
        "consent_id": [str(c.pk) for c in case.consents.all()[:1]],
        "notification_id": [str(n.pk) for n in Notification.objects.all()[:3]],
        "event_id": [str(event.pk)],
        "programme_id": [str(world.programme.pk)],
        "fmt": ["csv", "xlsx", "json"],
        "code": list(INDICATORS),
        "category": list(SpecialCategory.values),
        "name": ["consent", "advance"],
        "process_pk": [str(process.pk)] if process else ["1"],
        "task_pk": [str(pk) for pk in tasks[:3]] or ["1"],
        "task_id": [str(pk) for pk in tasks[:3]] or ["1"],
        "object_id": [str(case.pk)],
        "content_type_id": ["1"],
        "pk": ["1"],
        "id": [str(case.pk)],
        "app_label": ["auth"],
        "url": ["anything"],
    }
    templates = _route_templates()
    assert len(templates) > 100

    # Every notification and e-mail the journey produced so far, and the digests.
    call_command("send_notification_digests", stdout=io.StringIO())

    total_hits, fetched, unresolved = 0, 0, []
    report: list[str] = []
    statuses: dict[str, dict[str, int]] = {}
    for label, (user, allowed) in unentitled.items():
        forbidden = {
            sentinel.lower()
            for category, fields in planted.items()
            if category not in allowed
            for sentinel in fields.values()
        }
        http = HttpClient(raise_request_exception=False)
        http.force_login(user)
        for template in templates:
            for path in _paths(template, values):
                try:
                    resolve(path.split("?")[0])
                except Resolver404:
                    unresolved.append(path)
                    continue
                queries = [""] + (
                    ["?q=" + case.client.family_name]
                    if "<" not in template and "(?P" not in template
                    else []
                )
                for query in queries:
                    response = http.get(path + query, HTTP_ACCEPT="text/html,application/json")
                    fetched += 1
                    statuses.setdefault(label, {})[path + query] = response.status_code
                    found = _hits(_text(response), forbidden)
                    if found:
                        report.append(f"{label}: GET {path}{query} -> {response.status_code}")
                    total_hits += len(found)
        titles = " ".join(
            Notification.objects.filter(recipient=user).values_list("title", flat=True)
        )
        total_hits += len(_hits(titles, forbidden))
    every = {s.lower() for fields in planted.values() for s in fields.values()}
    outside = " ".join(
        [
            m.subject + m.body + " ".join(c for c, _t in getattr(m, "alternatives", []))
            for m in mail.outbox
        ]
        + [" ".join(Notification.objects.values_list("title", flat=True))]
        + [record.getMessage() + (record.exc_text or "") for record in caplog.records]
    )
    outside_hits = _hits(outside, every)
    total_hits += len(outside_hits)
    with capsys.disabled():
        print(
            f"\nsentinel test: {fetched} responses to {len(unentitled)} unentitled roles, "
            f"{len(mail.outbox)} e-mails, {Notification.objects.count()} notifications, "
            f"{len(caplog.records)} log lines; hits: {total_hits}"
        )
    assert unresolved == []
    # The walk reached the planted case's pages and data for the roles that may see the case:
    # a leak there would have been found.
    reached = [
        case.get_absolute_url(),
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/clients/{case.client_id}/",
    ]
    for label in ("mentor (case's, employment goal)", "social worker not on the case"):
        assert [statuses[label][path] for path in reached] == [200] * len(reached), label
    for path in (
        f"/audit/cases/{case.pk}/",
        f"/audit/cases/{case.pk}/as-of/",
        f"/api/v1/cases/{case.pk}/history/",
    ):
        assert statuses["social worker not on the case"][path] == 200, path
    assert report == [] and outside_hits == []
    assert total_hits == 0

    # The search can find them: entitled roles see every sentinel on the case page, and the
    # mentor sees the one category the goal grants.
    for user in (world.worker, world.supervisor):
        http = HttpClient()
        http.force_login(user)
        page = http.get(case.get_absolute_url()).content.decode().lower()
        assert _hits(page, every) and set(_hits(page, every)) == every
    http = HttpClient()
    http.force_login(world.mentor)
    page = http.get(case.get_absolute_url()).content.decode().lower()
    assert set(_hits(page, every)) == {
        s.lower() for s in planted[SpecialCategory.DISABILITY].values()
    }
