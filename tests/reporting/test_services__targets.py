"""Targets are set by programme admins only, audited like casework, and bad input writes
nothing."""

import datetime

import pytest

from kernel.errors import InvalidInput, NotAllowed, NotFound
from reporting.models import Target
from reporting.services import target_set

DEADLINE = datetime.date(2027, 12, 31)


@pytest.mark.django_db
def test_a_programme_admin_commits_a_target_with_its_history(world):
    target = target_set(
        user=world.admin,
        programme_id=world.programme.pk,
        indicator="forums",
        value=18,
        deadline=DEADLINE,
    )
    row = target.history.get()
    assert (row.history_user, row.history_change_reason) == (world.admin, "target.set")
    again = target_set(
        user=world.admin,
        programme_id=world.programme.pk,
        indicator="forums",
        value=20,
        deadline=DEADLINE,
    )
    assert again.pk == target.pk and again.value == 20
    assert target.history.count() == 2


@pytest.mark.django_db
def test_a_target_per_partner_and_location_stands_beside_the_programmes(world):
    target_set(
        user=world.admin,
        programme_id=world.programme.pk,
        indicator="participants",
        value=100,
        deadline=DEADLINE,
    )
    target_set(
        user=world.admin,
        programme_id=world.programme.pk,
        indicator="participants",
        value=40,
        deadline=DEADLINE,
        organisation_id=world.org.pk,
    )
    target_set(
        user=world.admin,
        programme_id=world.programme.pk,
        indicator="participants",
        value=10,
        deadline=DEADLINE,
        settlement="Ózd",
    )
    assert Target.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["worker", "mentor", "supervisor"])
def test_only_a_programme_admin_sets_targets(world, who):
    with pytest.raises(NotAllowed):
        target_set(
            user=getattr(world, who),
            programme_id=world.programme.pk,
            indicator="forums",
            value=18,
            deadline=DEADLINE,
        )
    assert not Target.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field",
    [
        ({"indicator": "nonsense"}, "indicator"),
        ({"value": 0}, "value"),
        ({"value": "many"}, "value"),
        ({"baseline": 30}, "baseline"),
        ({"deadline": datetime.date(2000, 1, 1)}, "deadline"),
        ({"organisation_id": -1}, "organisation"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(world, changes, field):
    data = {"indicator": "forums", "value": 18, "deadline": DEADLINE, **changes}
    with pytest.raises(InvalidInput) as refused:
        target_set(user=world.admin, programme_id=world.programme.pk, **data)
    assert field in refused.value.field_errors
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_a_programme_outside_the_admins_organisation_is_not_found(world):
    from casework.models import Programme

    other = Programme.objects.create(
        name="Other",
        funder_code="X-1",
        country="HU",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2028, 1, 1),
    )
    with pytest.raises(NotFound):
        target_set(
            user=world.admin, programme_id=other.pk, indicator="forums", value=1, deadline=DEADLINE
        )
