"""Special-category client data (minority, disability) is read and written only by roles that
may see it (``can_see_special_category``); to the others the fields do not exist."""

import pytest
from django.contrib.auth.models import Group, Permission

from casework import services
from casework.journey import Stage
from casework.models import Client
from casework.roles import Role

from ..factories import staff
from ..journey import to_stage
from .support import api_client, assert_error, db_fingerprint, url

SPECIAL = set(Client.SPECIAL_CATEGORY_FIELDS)


@pytest.fixture
def sensitive_case(world, case):
    services.client_update(user=world.worker, client_id=case.client_id,
                           data={"belongs_to_minority": True, "has_disability": False})
    return to_stage(case, world, Stage.PLANNING)


@pytest.mark.django_db
def test_social_workers_and_supervisors_see_special_category_fields(world, sensitive_case):
    for username in ["worker", "supervisor"]:
        api = api_client(getattr(world, username))
        detail = api.get(url("client_detail", sensitive_case.client_id)).json()
        assert detail["belongs_to_minority"] is True and detail["has_disability"] is False
        listed = api.get(url("client_list")).json()["results"][0]
        assert set(listed) >= SPECIAL


@pytest.mark.django_db
def test_a_mentor_never_receives_special_category_fields(world, sensitive_case):
    api = api_client(world.mentor)
    detail = api.get(url("client_detail", sensitive_case.client_id)).json()
    assert not SPECIAL & set(detail)
    for row in api.get(url("client_list")).json()["results"]:
        assert not SPECIAL & set(row)
    case = api.get(url("case_detail", sensitive_case.pk)).json()
    assert "belongs_to_minority" not in str(case) and "has_disability" not in str(case)
    assert "belongs_to_minority" not in str(api.get(url("case_history",
                                                        sensitive_case.pk)).json())


@pytest.mark.django_db
def test_special_category_fields_are_unknown_to_a_role_that_may_not_see_them(world):
    # A supervisor may see them; a mentor may not even send them (and may not edit clients).
    supervisor = api_client(world.supervisor)
    client = services.client_register(user=world.worker,
                                      data={"family_name": "Lakatos", "given_name": "Béla"})
    response = supervisor.patch(url("client_detail", client.pk),
                                {"has_disability": True}, format="json")
    assert response.status_code == 200 and response.json()["has_disability"] is True

    worker = api_client(world.worker)
    created = worker.post(url("client_list"), {"family_name": "Orsós", "given_name": "Éva",
                                               "belongs_to_minority": True}, format="json")
    assert created.status_code == 201 and created.json()["belongs_to_minority"] is True


@pytest.mark.django_db
def test_special_category_fields_sent_by_a_role_without_the_right_are_refused(world):
    # A clerk may register and edit clients but not see special-category data.
    clerk_role = Group.objects.create(name="clerk")
    clerk_role.permissions.add(
        Permission.objects.get(codename="add_client"),
        Permission.objects.get(codename="change_client"),
    )
    clerk = staff(Role.SOCIAL_WORKER, world.org, username="clerk")
    clerk.groups.set([clerk_role])
    api = api_client(clerk)
    assert api.get(url("me")).json()["can_see_special_category"] is False
    before = db_fingerprint()
    body = assert_error(
        api.post(url("client_list"), {"family_name": "A", "given_name": "B",
                                      "has_disability": True}, format="json"),
        400, "invalid",
    )
    assert body["fields"] == {"has_disability": ["Unknown field."]}
    assert db_fingerprint() == before
    created = api.post(url("client_list"), {"family_name": "A", "given_name": "B"},
                       format="json")
    assert created.status_code == 201 and not SPECIAL & set(created.json())
