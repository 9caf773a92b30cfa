"""Who may run a subject access request: the case's social worker and the organisation's
supervisors. Out of scope is "not found" (404), in scope with another role "not allowed" (403);
a refused request writes nothing to the read log. The case page offers the action exactly to
those who may run it."""

import pytest
from django.urls import reverse

from audit.models import AccessLog
from audit.subject_access import subject_access_export
from casework.roles import Role
from kernel.errors import NotAllowed, NotFound

from ..factories import staff

ALLOWED = {"worker", "supervisor", "supervisor2"}
CELLS = [
    ("worker", 200),  # the case's social worker
    ("supervisor", 200),
    ("supervisor2", 200),
    ("colleague", 403),  # another social worker of the organisation: not their case
    ("mentor", 403),  # the case's mentor
    ("mentor2", 404),
    ("admin", 404),  # programme admin: aggregates only, never client files
    ("other_worker", 404),  # out-of-scope staff of another organisation
    ("other_supervisor", 404),
    ("other_mentor", 404),
]


@pytest.fixture
def colleague(world):
    return staff(Role.SOCIAL_WORKER, world.org, username="colleague")


@pytest.fixture
def mentored_case(world, case):
    from casework import services

    services.case_assign_mentor(user=world.worker, case_id=case.pk, mentor_id=world.mentor.pk)
    case.refresh_from_db()
    return case


def user_named(world, colleague, name):
    return colleague if name == "colleague" else getattr(world, name)


@pytest.mark.django_db
@pytest.mark.parametrize("name, status", CELLS)
def test_each_role_gets_the_export_or_a_refusal_that_writes_nothing(
    world, colleague, mentored_case, client, name, status
):
    user = user_named(world, colleague, name)
    client.force_login(user)
    before = AccessLog.objects.count()

    for route in ("privacy:subject_access", "privacy:subject_access_json"):
        response = client.get(reverse(route, args=[mentored_case.client_id]))
        assert response.status_code == status, (name, route)
        if status != 200:
            assert mentored_case.client.family_name not in response.content.decode()

    logged = AccessLog.objects.count() - before
    assert logged == (2 if status == 200 else 0)


@pytest.mark.django_db
def test_the_service_says_not_found_out_of_scope_and_not_allowed_in_scope(
    world, colleague, mentored_case
):
    with pytest.raises(NotFound):
        subject_access_export(user=world.other_supervisor, client_id=mentored_case.client_id)
    with pytest.raises(NotAllowed):
        subject_access_export(user=world.mentor, client_id=mentored_case.client_id)
    with pytest.raises(NotAllowed):
        subject_access_export(user=colleague, client_id=mentored_case.client_id)
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name, status", [c for c in CELLS if c[1] != 404])
def test_the_case_page_offers_the_action_exactly_to_those_who_may_run_it(
    world, colleague, mentored_case, client, name, status
):
    client.force_login(user_named(world, colleague, name))
    page = client.get(mentored_case.get_absolute_url()).content.decode()

    link = reverse("privacy:subject_access", args=[mentored_case.client_id])
    assert (link in page) is (name in ALLOWED)
