"""``casework.auth.RoleModelBackend``: a role's permissions are answered from the role table
without permission queries; everything else is still Django's ``ModelBackend``."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from casework.roles import ROLE_PERMISSIONS, Role

from ..factories import staff


def fresh(user):
    """The user as a new request loads it: no cached roles or permissions."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.mark.django_db
def test_a_role_permission_costs_only_the_role_query(world, django_assert_num_queries):
    mentor = fresh(world.mentor)
    with django_assert_num_queries(1):  # the mentor's group names, shared with the scope
        assert mentor.has_perm("casework.draft_plan")
        assert mentor.has_perm("casework.advance_case")


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_exactly_the_permissions_of_its_row_in_the_table(world, role):
    users = {
        Role.SOCIAL_WORKER: world.worker,
        Role.MENTOR: world.mentor,
        Role.SUPERVISOR: world.supervisor,
        Role.PROGRAMME_ADMIN: world.admin,
    }
    if role == Role.COMMUNITY_CONSULTANT:
        users[role] = staff(role, world.org, username="consultant")
    user = fresh(users[role])
    every = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.filter(
            content_type__app_label__in=["casework", "workflows", "privacy", "community"]
        )
    }
    granted = {permission for permission in every if user.has_perm(permission)}
    assert granted == set(ROLE_PERMISSIONS[role])


@pytest.mark.django_db
def test_a_permission_given_to_one_user_in_the_admin_is_still_granted(world):
    permission = Permission.objects.get(content_type__app_label="casework", codename="reopen_case")
    assert not fresh(world.mentor).has_perm("casework.reopen_case")
    world.mentor.user_permissions.add(permission)
    assert fresh(world.mentor).has_perm("casework.reopen_case")


@pytest.mark.django_db
def test_a_permission_of_a_non_role_group_is_still_granted(world):
    auditors = Group.objects.create(name="external auditors")
    auditors.permissions.add(
        Permission.objects.get(content_type__app_label="casework", codename="approve_plan")
    )
    world.mentor.groups.add(auditors)
    assert fresh(world.mentor).has_perm("casework.approve_plan")


@pytest.mark.django_db
def test_an_inactive_user_has_no_role_permission(world):
    world.supervisor.is_active = False
    world.supervisor.save()
    assert not fresh(world.supervisor).has_perm("casework.approve_plan")


@pytest.mark.django_db
def test_a_superuser_without_a_role_has_every_permission(db):
    boss = get_user_model().objects.create_superuser("boss", password="pw")
    assert fresh(boss).has_perm("casework.reopen_case")


@pytest.mark.django_db
def test_object_permissions_are_not_answered_from_the_role_table(world):
    # Roles grant model permissions; a per-object question is ModelBackend's (which says no).
    assert not fresh(world.mentor).has_perm("casework.draft_plan", obj=object())


@pytest.mark.django_db
def test_a_request_s_user_comes_with_roles_and_staff_profile_in_one_query(
    world, django_assert_num_queries
):
    from casework.auth import RoleModelBackend
    from casework.roles import roles_of

    with django_assert_num_queries(1):
        supervisor = RoleModelBackend().get_user(world.supervisor.pk)
        assert roles_of(supervisor) == {Role.SUPERVISOR}
        assert supervisor.staff_profile.organisation_id == world.org.pk
        assert supervisor.has_perm("casework.approve_plan")


@pytest.mark.django_db
def test_a_user_in_several_groups_gets_every_role_and_one_without_any_none(world):
    from casework.auth import RoleModelBackend
    from casework.roles import roles_of

    world.worker.groups.add(Group.objects.create(name="a, group; with punctuation"))
    assert roles_of(RoleModelBackend().get_user(world.worker.pk)) == {
        Role.SOCIAL_WORKER,
        "a, group; with punctuation",
    }
    nobody = get_user_model().objects.create_user("nobody", password="pw")
    assert roles_of(RoleModelBackend().get_user(nobody.pk)) == set()


@pytest.mark.django_db
def test_an_inactive_or_missing_user_is_not_loaded(world):
    from casework.auth import RoleModelBackend

    world.mentor.is_active = False
    world.mentor.save()
    assert RoleModelBackend().get_user(world.mentor.pk) is None
    assert RoleModelBackend().get_user(10**9) is None


@pytest.mark.django_db
def test_all_permissions_of_a_request_s_user_cost_no_query(world, django_assert_num_queries):
    from casework.auth import RoleModelBackend

    supervisor = RoleModelBackend().get_user(world.supervisor.pk)
    with django_assert_num_queries(0):
        every = supervisor.get_all_permissions()
    assert set(ROLE_PERMISSIONS[Role.SUPERVISOR]) <= every
    assert f"casework.approve_plan@org:{world.org.pk}" in every  # the queue backend's


@pytest.mark.django_db
def test_all_permissions_still_include_those_given_in_the_admin(world):
    from casework.auth import RoleModelBackend

    world.mentor.user_permissions.add(
        Permission.objects.get(content_type__app_label="casework", codename="reopen_case")
    )
    auditors = Group.objects.create(name="external auditors")
    auditors.permissions.add(
        Permission.objects.get(content_type__app_label="casework", codename="approve_plan")
    )
    world.mentor.groups.add(auditors)
    every = RoleModelBackend().get_user(world.mentor.pk).get_all_permissions()
    assert {"casework.reopen_case", "casework.approve_plan", "casework.draft_plan"} <= every
