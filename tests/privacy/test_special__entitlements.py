"""Who may see each special category (privacy.special): one rule for a case and for lists."""

import pytest

from casework import services
from casework.journey import Stage
from casework.models import Case, GoalArea
from casework.roles import Role
from privacy import special
from privacy.models import SpecialCategory

from ..factories import staff
from ..journey import TODAY, complete_intake, submit_plan, to_stage

pytestmark = pytest.mark.django_db

EVERY = list(SpecialCategory.values)


def test_the_role_names_are_casework_roles():
    assert {special.SOCIAL_WORKER, special.MENTOR, special.SUPERVISOR} <= set(Role.values)


def test_every_category_has_an_entitlement_and_the_target_groups_are_categories():
    assert set(special.ENTITLEMENTS) == set(SpecialCategory.values)
    assert set(special.TARGET_GROUP_CATEGORIES) <= set(SpecialCategory.values)
    for rule in special.ENTITLEMENTS.values():
        assert rule.mentor_goal_areas <= set(GoalArea.values)


def test_the_cases_social_worker_and_the_organisations_supervisors_see_every_category(world, case):
    for user in (world.worker, world.supervisor, world.supervisor2):
        assert special.visible_categories(user, case) == EVERY
        assert special.can_see_all(user, case)


def test_other_staff_see_no_category(world, case):
    next_desk = staff(Role.SOCIAL_WORKER, world.org, username="worker_next_desk")
    complete_intake(case, world)
    case.refresh_from_db()
    for user in (
        next_desk,
        world.mentor,  # assigned, but no approved plan yet
        world.mentor2,
        world.admin,
        world.other_worker,
        world.other_supervisor,
        world.other_mentor,
    ):
        assert special.visible_categories(user, case) == [], user.username
        assert not special.can_see(user, SpecialCategory.HEALTH, case)


def test_a_mentor_sees_only_what_an_approved_plan_goal_needs(world, case):
    case = to_stage(case, world, Stage.TRAINING)  # approved plan: an employment goal
    assert special.visible_categories(world.mentor, case) == [SpecialCategory.DISABILITY]
    # Ethnicity and the criminal record are never granted through a goal.
    assert not special.can_see(world.mentor, SpecialCategory.ETHNICITY, case)
    assert not special.can_see(world.mentor, SpecialCategory.CRIMINAL_RECORD, case)
    assert not special.can_see(world.mentor2, SpecialCategory.DISABILITY, case)


def test_a_health_goal_grants_health_once_the_plan_is_approved(world, case):
    to_stage(case, world, Stage.PLANNING)
    services.plan_save(user=world.mentor, case_id=case.pk, summary="s", client_agreed_on=TODAY)
    services.goal_add(user=world.mentor, case_id=case.pk, area=GoalArea.HEALTH, description="d")
    case = Case.objects.get(pk=case.pk)
    # The mentor's own draft grants nothing: a supervisor other than its author approves it.
    assert special.visible_categories(world.mentor, case) == []

    submit_plan(case, world)
    services.plan_approve(user=world.supervisor, case_id=case.pk)
    case = Case.objects.get(pk=case.pk)
    assert special.visible_categories(world.mentor, case) == [
        SpecialCategory.HEALTH,
        SpecialCategory.DISABILITY,
    ]


def test_the_list_filter_agrees_with_the_rule_for_every_role_and_category(world, case):
    trained = to_stage(case, world, Stage.TRAINING)
    other = services.case_open(
        user=world.other_worker,
        client_id=services.client_register(
            user=world.other_worker, data={"family_name": "B", "given_name": "C"}
        ).pk,
        programme_id=world.programme.pk,
    )
    users = [
        world.worker,
        world.mentor,
        world.mentor2,
        world.supervisor,
        world.admin,
        world.other_worker,
        world.other_supervisor,
        staff(Role.SOCIAL_WORKER, world.org, username="worker_next_desk"),
    ]
    cases = Case.objects.filter(pk__in=[trained.pk, other.pk])
    for user in users:
        for category in EVERY:
            listed = set(special.cases_where_visible(user, category, cases))
            expected = {c for c in cases if special.can_see(user, category, c)}
            assert listed == expected, (user.username, category)
    assert special.cases_where_visible(world.mentor, SpecialCategory.DISABILITY, cases).count()


def test_inactive_and_anonymous_users_see_nothing(world, case):
    from django.contrib.auth.models import AnonymousUser

    world.worker.is_active = False
    assert special.visible_categories(world.worker, case) == []
    assert special.visible_categories(AnonymousUser(), case) == []
    assert not special.cases_where_visible(AnonymousUser(), "health", Case.objects.all()).exists()
