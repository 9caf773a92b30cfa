"""Access is a query: ``cases_visible_to`` gives each role exactly its cases, and ``case_get``
answers NotFound (never NotAllowed) for a case outside them."""

import pytest
from django.contrib.auth.models import AnonymousUser

from casework import selectors, services
from kernel.errors import NotFound

from ..conftest import COMPLETE_CLIENT, new_client
from ..journey import TODAY

pytestmark = pytest.mark.django_db


def _open(world, worker, mentor=None, **client):
    client = services.client_register(user=worker, data={**COMPLETE_CLIENT, **client})
    case = services.case_open(user=worker, client_id=client.pk, programme_id=world.programme.pk)
    if mentor is not None:
        services.case_assign_mentor(user=worker, case_id=case.pk, mentor_id=mentor.pk)
    return case


@pytest.fixture
def cases(world):
    """Four cases: two mentored cases of the organisation, one without a mentor yet, and one
    case of the other organisation."""
    return {
        "mentored": _open(world, world.worker, world.mentor, given_name="Anna"),
        "mentor2s": _open(world, world.worker, world.mentor2, given_name="Béla"),
        "unassigned": _open(world, world.worker, given_name="Csilla"),
        "other_org": _open(world, world.other_worker, world.other_mentor, given_name="Dénes"),
    }


# user: the cases they see.
VISIBLE = {
    "worker": {"mentored", "mentor2s", "unassigned"},
    "mentor": {"mentored"},
    "mentor2": {"mentor2s"},
    "supervisor": {"mentored", "mentor2s", "unassigned"},
    "admin": set(),
    "other_worker": {"other_org"},
    "other_mentor": {"other_org"},
    "other_supervisor": {"other_org"},
}


@pytest.mark.parametrize(("user", "expected"), VISIBLE.items(), ids=list(VISIBLE))
def test_cases_visible_to_gives_each_role_exactly_its_cases(world, cases, user, expected):
    names = {case.pk: name for name, case in cases.items()}

    visible = selectors.cases_visible_to(getattr(world, user))

    assert {names[pk] for pk in visible.values_list("pk", flat=True)} == expected


@pytest.mark.parametrize(("user", "expected"), VISIBLE.items(), ids=list(VISIBLE))
def test_case_get_finds_cases_in_scope_and_answers_not_found_outside(world, cases, user, expected):
    actor = getattr(world, user)
    for name, case in cases.items():
        if name in expected:
            assert selectors.case_get(user=actor, case_id=case.pk) == case
        else:
            with pytest.raises(NotFound):
                selectors.case_get(user=actor, case_id=case.pk)


def test_a_mentor_loses_sight_of_a_case_when_another_mentor_is_assigned(world, cases):
    case = cases["mentored"]

    services.case_assign_mentor(user=world.worker, case_id=case.pk, mentor_id=world.mentor2.pk)

    assert not selectors.cases_visible_to(world.mentor).filter(pk=case.pk).exists()
    assert selectors.cases_visible_to(world.mentor2).filter(pk=case.pk).exists()


@pytest.mark.parametrize("case_id", [10**9, "not-a-number", None])
def test_case_get_answers_not_found_for_a_case_that_does_not_exist(world, case_id):
    with pytest.raises(NotFound):
        selectors.case_get(user=world.supervisor, case_id=case_id)


def test_a_deactivated_user_and_an_anonymous_user_see_no_case(world, cases):
    world.worker.is_active = False
    world.worker.save()

    assert not selectors.cases_visible_to(world.worker).exists()
    assert not selectors.cases_visible_to(AnonymousUser()).exists()


def test_clients_without_a_case_are_visible_to_their_organisation_only(world):
    client = new_client(world, given_name="Ede")

    assert selectors.client_get(user=world.supervisor, client_id=client.pk) == client
    for user in (world.mentor, world.other_worker, world.other_supervisor, world.admin):
        with pytest.raises(NotFound):
            selectors.client_get(user=user, client_id=client.pk)


def test_a_service_on_a_case_out_of_scope_answers_not_found_before_anything_else(world, cases):
    # Even an action the other organisation's social worker may do on their own cases.
    with pytest.raises(NotFound):
        services.case_record_consent(
            user=world.other_worker, case_id=cases["mentored"].pk, given_on=TODAY
        )
