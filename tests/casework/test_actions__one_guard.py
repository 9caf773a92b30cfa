"""Every journey action's guard exists once: the registry (``casework.actions``), the service,
the API and the case page all answer a blocked action with the same list of what is missing.

Each action is tried in a state that blocks it; the registry's ``missing_for`` must equal what
the service refuses with, the API's transition list and its 422 must say the same, and the case
page must show each sentence."""

import html
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import guards, services
from casework.actions import CASE_ACTIONS
from casework.journey import Stage
from kernel.errors import GuardFailed

from ..api.support import api_client, url
from ..journey import to_stage
from .support import reload

TODAY = timezone.localdate()


def _closed(case, world):
    services.case_close_early(
        user=world.worker, case_id=case.pk, outcome="ineligible", reason="Not in the target group"
    )
    return reload(case)


def _planning_with_a_bare_plan(case, world):
    to_stage(case, world, Stage.PLANNING)
    services.plan_save(user=world.mentor, case_id=case.pk, summary="Needs a job")
    return reload(case)


def _planning(case, world):
    to_stage(case, world, Stage.PLANNING)
    return reload(case)


# action: (state that blocks it, who acts, API body, page action and its fields)
BLOCKED = {
    "consent": (_closed, "worker", {"given_on": TODAY.isoformat()}, ("consent", {})),
    "assign_mentor": (_closed, "worker", {"mentor": "mentor"}, ("assign_mentor", {})),
    "advance": (lambda case, world: case, "worker", {}, ("advance", {})),
    "suspend": (_closed, "worker", {"reason": "Ill"}, ("suspend", {})),
    "resume": (lambda case, world: case, "worker", {}, ("resume", {})),
    "close": (_closed, "worker", {"outcome": "ineligible", "reason": "x"}, ("close", {})),
    "reopen": (lambda case, world: case, "supervisor", {"reason": "x"}, ("reopen", {})),
    "plan_submit": (_planning_with_a_bare_plan, "mentor", {}, ("plan_submit", {})),
    "plan_approve": (_planning, "supervisor", {}, ("plan_review", {"decision": "approve"})),
    "plan_return": (
        _planning,
        "supervisor",
        {"comment": "Add goals"},
        ("plan_review", {"decision": "return", "comment": "Add goals"}),
    ),
}


def _body(world, body: dict) -> dict:
    return {
        key: getattr(world, value).pk if value == "mentor" else value for key, value in body.items()
    }


def test_every_journey_action_has_a_blocked_state_here():
    assert set(BLOCKED) == set(CASE_ACTIONS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BLOCKED))
def test_a_blocked_action_answers_with_the_same_missing_list_everywhere(world, case, client, name):
    state, who, body, (page_action, page_fields) = BLOCKED[name]
    case = state(case, world)
    user = getattr(world, who)
    action = CASE_ACTIONS[name]
    missing = action.missing_for(case, user)
    assert missing, f"{name} is not blocked in this state"
    assert action.allowed(user, case)

    with pytest.raises(GuardFailed) as refused:
        action.run(user, reload(case), {"from_stage": case.stage, **_body(world, body)})
    error = refused.value
    assert ([str(item) for item in error.details] or [str(error.message)]) == missing

    rows = api_client(user).get(url("transition_list", case.pk)).json()
    listed = next(row for row in rows if row["name"] == name)
    assert (listed["ready"], listed["missing"]) == (False, missing)
    data = _body(world, body)
    if name in ("advance", "suspend", "close"):
        data["from_stage"] = case.stage
    response = api_client(user).post(url(f"transition_{name}", case.pk), data, format="json")
    assert response.status_code == 422, response.content
    assert response.json()["missing"] == missing

    client.force_login(user)
    fields = dict(page_fields)
    if name == "consent":
        fields["given_on"] = TODAY.isoformat()
    if name == "assign_mentor":
        fields["mentor"] = world.mentor.pk
    if name in ("advance", "suspend", "close"):
        fields["from_stage"] = case.stage
    if name in ("suspend", "reopen", "close"):
        fields["reason"] = "x"
    if name == "close":
        fields["outcome"] = "ineligible"
    page = client.post(
        reverse("casework:case_action", args=[case.pk, page_action]),
        {f"{page_action}-{key}": value for key, value in fields.items()},
    )
    assert page.status_code == 422, page.content.decode()[:1500]
    shown = html.unescape(page.content.decode())
    for sentence in missing:
        assert sentence in shown


GUARD_MODULES = [Path(guards.__file__)]
SOURCES = [
    path
    for package in ("kernel", "casework", "workflows", "web", "api", "audit", "community")
    for path in (Path(guards.__file__).parent.parent / package).rglob("*.py")
    if "migrations" not in path.parts
]


def _messages(path: Path) -> list[str]:
    return re.findall(r'_\(\s*"((?:[^"\\]|\\.)+)"', path.read_text(encoding="utf-8"))


def test_every_guard_sentence_is_written_once_in_the_source():
    written_twice = {
        message: [
            str(path)
            for path in SOURCES
            if path not in GUARD_MODULES and message in _messages(path)
        ]
        for module in GUARD_MODULES
        for message in _messages(module)
    }
    assert {message: where for message, where in written_twice.items() if where} == {}
