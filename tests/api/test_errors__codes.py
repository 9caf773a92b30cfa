"""A refused request answers a stable ``code`` and a translated ``message`` (with ``fields`` or
``missing``), and writes nothing: 400 invalid input, 401 no credentials, 403 role, 404 scope,
409 stale stage, 415 not JSON, 422 step not ready. Bad input is never a 500."""

import datetime

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.exceptions import NotAuthenticated

from casework.journey import Stage
from kernel.errors import GuardFailed

from ..journey import submit_plan, to_stage
from .support import api_client, assert_error, db_fingerprint, url

TODAY = timezone.localdate()


@pytest.mark.django_db
def test_a_stale_stage_answers_409_and_writes_nothing(world, case):
    to_stage(case, world, Stage.PLANNING)
    api = api_client(world.worker)
    before = db_fingerprint()
    for name, data in [
        ("advance", {"from_stage": "intake"}),
        ("suspend", {"from_stage": "intake", "reason": "Ill"}),
        ("close", {"from_stage": "intake", "outcome": "dropped_out", "reason": "Left"}),
    ]:
        body = assert_error(
            api.post(url(f"transition_{name}", case.pk), data, format="json"), 409, "stage_conflict"
        )
        assert body["details"] == ["It is now in the stage: development plan."]
    assert db_fingerprint() == before


@pytest.mark.django_db
def test_a_step_not_ready_answers_422_with_everything_missing(world, case):
    api = api_client(world.worker)
    before = db_fingerprint()
    body = assert_error(
        api.post(url("transition_advance", case.pk), {"from_stage": "intake"}, format="json"),
        422,
        "guard_failed",
    )
    assert body["missing"] == [
        "Record the client's consent to data processing.",
        "Assign a mentor.",
    ]
    body = assert_error(
        api.post(url("transition_resume", case.pk), format="json"), 422, "guard_failed"
    )
    assert body["missing"] == ["Only a suspended case can be resumed."]
    assert db_fingerprint() == before


@pytest.mark.django_db
def test_a_role_that_may_not_act_gets_403_and_nothing_is_written(world, case):
    to_stage(case, world, Stage.TRAINING)
    before = db_fingerprint()
    mentor = api_client(world.mentor)
    for name, data in [
        ("suspend", {"from_stage": "training", "reason": "Ill"}),
        ("close", {"from_stage": "training", "outcome": "dropped_out", "reason": "Left"}),
        ("consent", {"given_on": TODAY.isoformat()}),
    ]:
        assert_error(
            mentor.post(url(f"transition_{name}", case.pk), data, format="json"), 403, "not_allowed"
        )
    assert_error(
        mentor.post(url("client_list"), {"family_name": "A", "given_name": "B"}, format="json"),
        403,
        "not_allowed",
    )
    assert_error(
        mentor.patch(url("client_detail", case.client_id), {"phone": "1"}, format="json"),
        403,
        "not_allowed",
    )
    assert_error(
        api_client(world.worker).post(
            url("transition_reopen", case.pk), {"reason": "x"}, format="json"
        ),
        403,
        "not_allowed",
    )
    assert db_fingerprint() == before


@pytest.mark.django_db
def test_four_eyes_the_plan_author_cannot_approve_their_own_plan(world, case):
    to_stage(case, world, Stage.PLANNING)
    submit_plan(case, world)
    rows = {
        row["name"]: row
        for row in api_client(world.supervisor).get(url("transition_list", case.pk)).json()
    }
    assert rows["plan_approve"]["allowed"] and rows["plan_approve"]["ready"]
    author_rows = {
        row["name"]: row
        for row in api_client(world.mentor).get(url("transition_list", case.pk)).json()
    }
    assert not author_rows["plan_approve"]["allowed"]
    before = db_fingerprint()
    assert_error(
        api_client(world.mentor).post(url("transition_plan_approve", case.pk), {}, format="json"),
        403,
        "not_allowed",
    )
    assert db_fingerprint() == before


@pytest.mark.django_db
def test_invalid_input_answers_400_with_a_message_per_field(world, case):
    api = api_client(world.worker)
    before = db_fingerprint()
    body = assert_error(
        api.post(
            url("transition_close", case.pk),
            {"from_stage": "nowhere", "outcome": "completed", "reason": 42, "extra": 1},
            format="json",
        ),
        400,
        "invalid",
    )
    assert set(body["fields"]) == {"extra"}  # unknown fields are refused first
    body = assert_error(
        api.post(
            url("transition_close", case.pk),
            {"from_stage": "nowhere", "outcome": "completed", "reason": 42},
            format="json",
        ),
        400,
        "invalid",
    )
    assert set(body["fields"]) == {"from_stage", "outcome", "reason"}
    assert all(
        isinstance(message, str) for messages in body["fields"].values() for message in messages
    )
    # A date in the future is refused by the service, with the same shape.
    body = assert_error(
        api.post(
            url("transition_consent", case.pk),
            {"given_on": (TODAY + datetime.timedelta(days=3)).isoformat()},
            format="json",
        ),
        400,
        "invalid",
    )
    assert body["fields"] == {"given_on": ["The date cannot be in the future."]}
    body = assert_error(
        api.post(
            url("session_list"),
            {
                "kind": "training",
                "format": "group",
                "topic": "x",
                "held_on": "2025-01-02",
                "attendance": [{"case": case.pk}, {"case": "seven"}],
            },
            format="json",
        ),
        400,
        "invalid",
    )
    assert list(body["fields"]) == ["attendance.1.case"]
    assert db_fingerprint() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "parse_error"),
        (b"[1, 2, 3]", "application/json", 400, "invalid"),
        (b'"just a string"', "application/json", 400, "invalid"),
        (b'{"mentor": 99999999999999999999999999}', "application/json", 400, "invalid"),
        (b'{"mentor": 1e400}', "application/json", 400, "invalid"),
        (b'{"mentor": NaN}', "application/json", 400, "parse_error"),
        (b'{"mentor": true}', "application/json", 400, "invalid"),
        (b'{"mentor": "12"}', "application/json", 400, "invalid"),
        (b'{"mentor": 123456}', "application/json", 400, "invalid"),
        (b"mentor=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b"\xff\xfe\x00", "application/json", 400, "parse_error"),
    ],
)
def test_bad_bodies_are_refused_without_a_500(world, case, payload, content_type, status, code):
    api = api_client(world.worker)
    before = db_fingerprint()
    response = api.generic(
        "POST", url("transition_assign_mentor", case.pk), payload, content_type=content_type
    )
    assert_error(response, status, code)
    assert db_fingerprint() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/99999999999999999999999999/",
        "/api/v1/cases/999999999999999999/",
        "/api/v1/cases/abc/",
        "/api/v1/cases/-1/",
        "/api/v1/cases/0/",
        "/api/v1/cases/1.5/",
        "/api/v1/cases/1/transitions/fly_away/",
        "/api/v1/nothing-here/",
        "/api/v2/cases/",
        "/api/v1/cases/1%0A/",
        "/api/v1/cases/%0A/?colour=red",
    ],
)
def test_unknown_or_malformed_paths_are_a_json_404(world, case, path):
    assert_error(api_client(world.worker).get(path), 404, "not_found")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"stage": "flying"},
        {"mentor": "x"},
        {"mentor": "99999999999999999999999"},
        {"programme": "-3"},
        {"page": "0"},
        {"page": "x"},
        {"page_size": "1000"},
        {"search": "a" * 101},
        {"search": "null\x00byte"},
        {"page": ""},
        {"stage": ""},
        {"colour": "red"},
    ],
)
def test_bad_filters_are_a_400(world, case, query):
    assert_error(api_client(world.worker).get(url("case_list"), query), 400, "invalid")


@pytest.mark.django_db
def test_unknown_ids_in_a_body_are_refused_as_invalid_input(world, case):
    api = api_client(world.worker)
    before = db_fingerprint()
    body = assert_error(
        api.post(
            url("case_list"), {"client": 987654, "programme": world.programme.pk}, format="json"
        ),
        400,
        "invalid",
    )
    assert list(body["fields"]) == ["client"]
    body = assert_error(
        api.post(
            url("transition_assign_mentor", case.pk),
            {"mentor": world.other_mentor.pk},
            format="json",
        ),
        400,
        "invalid",
    )
    assert list(body["fields"]) == ["mentor"]
    assert db_fingerprint() == before


@pytest.mark.django_db
def test_no_credentials_is_401_and_a_wrong_method_is_405(world, case):
    response = api_client().get(url("case_detail", case.pk))
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == 'Token realm="api"'
    assert_error(
        api_client(world.worker).delete(url("case_detail", case.pk)), 405, "method_not_allowed"
    )


@pytest.mark.django_db
def test_messages_are_in_the_requested_language_and_codes_stay_the_same(world, case):
    api = api_client(world.worker)
    path = url("transition_advance", case.pk)
    messages = {}
    for language in ["hu", "en"]:
        response = api.post(
            path, {"from_stage": "intake"}, format="json", HTTP_ACCEPT_LANGUAGE=language
        )
        messages[language] = assert_error(response, 422, "guard_failed")
        with translation.override(language):
            assert messages[language]["message"] == str(GuardFailed.default_message)
            assert messages[language]["missing"][-1] == gettext("Assign a mentor.")
    assert messages["hu"]["message"] != messages["en"]["message"]
    anonymous = api_client().get(url("case_list"), HTTP_ACCEPT_LANGUAGE="hu")
    with translation.override("hu"):
        assert assert_error(anonymous, 401, "not_authenticated")["message"] == str(
            NotAuthenticated.default_detail
        )
