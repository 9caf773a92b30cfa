"""Special-category data in the API: a case's detail carries ``special_categories`` with only
the categories the user is entitled to (``privacy.can_see``); a user entitled to none receives
no such key at all (absent, not null). Clients carry no special-category fields."""

import pytest

from casework.journey import Stage
from casework.roles import Role
from privacy import services as privacy_services
from privacy.models import SpecialCategory

from ..factories import staff
from ..journey import to_stage
from .support import api_client, assert_error, db_fingerprint, url

OLD_FIELDS = {"belongs_to_minority", "has_disability"}


@pytest.fixture
def sensitive_case(world, case):
    case = to_stage(case, world, Stage.TRAINING)  # approved plan with an employment goal
    for category in SpecialCategory.values:
        privacy_services.special_category_record(
            user=world.worker,
            case=case,
            category=category,
            answer="yes",
            minority="roma" if category == SpecialCategory.ETHNICITY else "",
            note=f"about {category}",
        )
    return case


@pytest.mark.django_db
def test_the_cases_social_worker_and_supervisors_receive_every_category(world, sensitive_case):
    for user in (world.worker, world.supervisor):
        detail = api_client(user).get(url("case_detail", sensitive_case.pk)).json()
        by_category = {item["category"]: item for item in detail["special_categories"]}
        assert list(by_category) == list(SpecialCategory.values)
        assert by_category["ethnicity"]["minority"] == "roma"
        assert by_category["health"] == {
            "category": "health",
            "answer": "yes",
            "minority": "",
            "note": "about health",
            "recorded_at": by_category["health"]["recorded_at"],
        }


@pytest.mark.django_db
def test_the_mentor_receives_only_what_the_plan_goal_needs(world, sensitive_case):
    detail = api_client(world.mentor).get(url("case_detail", sensitive_case.pk)).json()
    assert [item["category"] for item in detail["special_categories"]] == ["disability"]
    assert "about ethnicity" not in str(detail) and "about criminal_record" not in str(detail)


@pytest.mark.django_db
def test_a_role_entitled_to_nothing_receives_no_key_at_all(world, sensitive_case):
    next_desk = staff(Role.SOCIAL_WORKER, world.org, username="worker_next_desk")
    for user in (next_desk, world.mentor2):
        api = api_client(user)
        response = api.get(url("case_detail", sensitive_case.pk))
        if user is world.mentor2:
            assert response.status_code == 404  # not their case at all
            continue
        detail = response.json()
        assert "special_categories" not in detail
        assert "about" not in str(detail)
        client = api.get(url("client_detail", sensitive_case.client_id)).json()
        assert not OLD_FIELDS & set(client) and "about" not in str(client)


@pytest.mark.django_db
def test_clients_have_no_special_category_fields_and_refuse_them(world):
    api = api_client(world.worker)
    before = db_fingerprint()
    body = assert_error(
        api.post(
            url("client_list"),
            {"family_name": "A", "given_name": "B", "has_disability": True},
            format="json",
        ),
        400,
        "invalid",
    )
    assert body["fields"] == {"has_disability": ["Unknown field."]}
    assert db_fingerprint() == before
    created = api.post(url("client_list"), {"family_name": "A", "given_name": "B"}, format="json")
    assert created.status_code == 201 and not OLD_FIELDS & set(created.json())


@pytest.mark.django_db
def test_me_says_whether_the_roles_can_be_entitled_at_all(world):
    assert api_client(world.worker).get(url("me")).json()["can_see_special_category"] is True
    assert api_client(world.mentor).get(url("me")).json()["can_see_special_category"] is True
    assert api_client(world.admin).get(url("me")).json()["can_see_special_category"] is False
