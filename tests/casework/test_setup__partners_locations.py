"""A programme's partners and locations through casework.setup: adding an existing or a new
organisation, changing its role, removing it (refused while records name it, including the
layers above through their in-use checks), the same for locations, and who may do any of it."""

import datetime

import pytest

from casework import services, setup
from casework.models import (
    ConsortiumMembership,
    ConsortiumRole,
    Organisation,
    OrganisationKind,
    Programme,
    ProgrammeLocation,
    Settlement,
)
from community.services import event_create
from kernel.errors import InvalidInput, NotAllowed, NotFound
from reporting.services import target_set

from ..conftest import COMPLETE_CLIENT
from ..factories import OrganisationFactory, ProgrammeFactory, staff

pytestmark = pytest.mark.django_db


def refusal(run) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as caught:
        run()
    return caught.value.field_errors


def membership(world, organisation) -> ConsortiumMembership:
    return ConsortiumMembership.objects.get(programme=world.programme, organisation=organisation)


# Partners ----------------------------------------------------------------------------------


def test_an_existing_organisation_joins_the_consortium_with_history(world):
    outsider = OrganisationFactory(name="Putnok Municipality")
    added = setup.partner_add(
        user=world.admin,
        programme_id=world.programme.pk,
        role=ConsortiumRole.MEMBER,
        organisation_id=outsider.pk,
    )
    assert (added.organisation, added.role) == (outsider, ConsortiumRole.MEMBER)
    row = added.history.get()
    assert (row.history_user, row.history_change_reason) == (world.admin, "programme.partner_add")


def test_a_new_partner_office_is_created_and_joins(world):
    added = setup.partner_add(
        user=world.admin,
        programme_id=world.programme.pk,
        role=ConsortiumRole.PARTNER,
        organisation={
            "name": " Health-promotion office Ózd ",
            "kind": OrganisationKind.HEALTH_OFFICE,
            "settlement": "Ózd",
        },
    )
    organisation = Organisation.objects.get(name="Health-promotion office Ózd")
    assert added.organisation == organisation and organisation.is_partner_office
    row = organisation.history.get()
    assert (row.history_user, row.history_change_reason) == (world.admin, "programme.partner_add")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"organisation": {"name": "", "kind": "ngo", "settlement": "Ózd"}}, "name"),
        ({"organisation": {"name": "New NGO", "kind": "club", "settlement": "Ózd"}}, "kind"),
        ({"organisation": {"name": "Labour OFFICE", "kind": "ngo", "settlement": "Ózd"}}, "name"),
        ({}, "organisation"),
        ({"organisation_id": 10**9}, "organisation"),
        ({"organisation_id": None, "organisation": None, "role": "boss"}, "role"),
    ],
)
def test_a_partner_that_cannot_be_added_is_named_and_nothing_is_written(world, kwargs, field):
    organisations, memberships = Organisation.objects.count(), ConsortiumMembership.objects.count()
    arguments = {"role": ConsortiumRole.MEMBER, **kwargs}
    errors = refusal(
        lambda: setup.partner_add(user=world.admin, programme_id=world.programme.pk, **arguments)
    )
    assert field in errors
    assert Organisation.objects.count() == organisations
    assert ConsortiumMembership.objects.count() == memberships


def test_an_organisation_already_in_the_consortium_is_refused(world):
    errors = refusal(
        lambda: setup.partner_add(
            user=world.admin,
            programme_id=world.programme.pk,
            role=ConsortiumRole.MEMBER,
            organisation_id=world.other_org.pk,
        )
    )
    assert errors["organisation"] == ["This organisation is a partner of the programme already."]


def test_a_partners_role_changes_with_history(world):
    changed = setup.partner_set_role(
        user=world.admin,
        membership_id=membership(world, world.other_org).pk,
        role=ConsortiumRole.PARTNER,
    )
    assert ConsortiumMembership.objects.get(pk=changed.pk).role == ConsortiumRole.PARTNER
    row = changed.history.latest()
    assert (row.history_user, row.history_change_reason) == (world.admin, "programme.partner_role")


def test_the_only_lead_keeps_its_role_until_another_partner_leads(world):
    lead = membership(world, world.org)
    errors = refusal(
        lambda: setup.partner_set_role(
            user=world.admin, membership_id=lead.pk, role=ConsortiumRole.MEMBER
        )
    )
    assert "needs a lead" in errors["role"][0]
    assert ConsortiumMembership.objects.get(pk=lead.pk).role == ConsortiumRole.LEAD
    setup.partner_set_role(
        user=world.admin,
        membership_id=membership(world, world.other_org).pk,
        role=ConsortiumRole.LEAD,
    )
    setup.partner_set_role(user=world.admin, membership_id=lead.pk, role=ConsortiumRole.MEMBER)
    assert ConsortiumMembership.objects.get(pk=lead.pk).role == ConsortiumRole.MEMBER


def test_a_partner_nothing_names_leaves_with_a_history_row(world):
    leaving = membership(world, world.health_office)
    setup.partner_remove(user=world.admin, membership_id=leaving.pk)
    assert not ConsortiumMembership.objects.filter(pk=leaving.pk).exists()
    row = ConsortiumMembership.history.filter(id=leaving.pk).latest()
    assert row.history_type == "-"
    assert (row.history_user, row.history_change_reason) == (
        world.admin,
        "programme.partner_remove",
    )


def test_a_partner_whose_cases_belong_to_the_programme_stays(world):
    client = services.client_register(
        user=world.other_worker, data={**COMPLETE_CLIENT, "family_name": "Lakatos"}
    )
    services.case_open(
        user=world.other_worker, client_id=client.pk, programme_id=world.programme.pk
    )
    errors = refusal(
        lambda: setup.partner_remove(
            user=world.admin, membership_id=membership(world, world.other_org).pk
        )
    )
    assert errors["__all__"] == [
        "Miskolc Roma NGO cannot leave the programme.",
        "1 case of the programme belongs to it.",
    ]
    assert ConsortiumMembership.objects.filter(organisation=world.other_org).exists()


def test_a_partner_a_target_is_committed_for_stays(world):
    target_set(
        user=world.admin,
        programme_id=world.programme.pk,
        indicator="participants",
        value=10,
        deadline=datetime.date(2027, 12, 31),
        organisation_id=world.labour_office.pk,
    )
    errors = refusal(
        lambda: setup.partner_remove(
            user=world.admin, membership_id=membership(world, world.labour_office).pk
        )
    )
    assert "1 target of the programme is committed for it." in errors["__all__"]


def test_a_partner_a_community_event_names_stays(world):
    event_create(
        user=world.other_worker,
        programme_id=world.programme.pk,
        kind="forum",
        title="Forum with the mayors",
        settlement="Sajókaza",
        held_on=datetime.date(2025, 6, 1),
    )
    errors = refusal(
        lambda: setup.partner_remove(
            user=world.admin, membership_id=membership(world, world.other_org).pk
        )
    )
    assert any("1 community record of the programme" in message for message in errors["__all__"])


def test_the_admins_own_organisation_cannot_leave(world):
    setup.partner_set_role(
        user=world.admin,
        membership_id=membership(world, world.other_org).pk,
        role=ConsortiumRole.LEAD,
    )
    errors = refusal(
        lambda: setup.partner_remove(
            user=world.admin, membership_id=membership(world, world.org).pk
        )
    )
    assert "lose access" in errors["__all__"][0]


# Locations ---------------------------------------------------------------------------------


def test_a_new_settlement_becomes_a_location_with_its_rural_flag_and_history(world):
    location = setup.location_add(
        user=world.admin, programme_id=world.programme.pk, name="  Sajókaza ", rural=True
    )
    settlement = Settlement.objects.get(name="Sajókaza")
    assert (location.settlement, settlement.rural, settlement.country) == (settlement, True, "HU")
    row = location.history.get()
    assert (row.history_user, row.history_change_reason) == (world.admin, "programme.location_add")
    assert settlement.history.get().history_change_reason == "programme.location_add"


def test_a_known_settlement_is_reused_and_its_rural_flag_is_not_contradicted(world):
    known = Settlement.objects.create(country="HU", name="Ózd", rural=False)
    errors = refusal(
        lambda: setup.location_add(
            user=world.admin, programme_id=world.programme.pk, name="ózd", rural=True
        )
    )
    assert "not rural" in errors["rural"][0]
    location = setup.location_add(
        user=world.admin, programme_id=world.programme.pk, name="ózd", rural=False
    )
    assert location.settlement == known
    assert Settlement.objects.count() == 1


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_location_without_a_usable_name_is_refused(world, name):
    errors = refusal(
        lambda: setup.location_add(
            user=world.admin, programme_id=world.programme.pk, name=name, rural=False
        )
    )
    assert "name" in errors
    assert not ProgrammeLocation.objects.exists() and not Settlement.objects.exists()


def test_a_location_is_added_once(world):
    setup.location_add(user=world.admin, programme_id=world.programme.pk, name="Ózd", rural=False)
    errors = refusal(
        lambda: setup.location_add(
            user=world.admin, programme_id=world.programme.pk, name="Ózd", rural=False
        )
    )
    assert errors["name"] == ["This settlement is a location of the programme already."]
    assert ProgrammeLocation.objects.count() == 1


def test_a_location_nothing_names_is_removed_with_a_history_row(world):
    location = setup.location_add(
        user=world.admin, programme_id=world.programme.pk, name="Putnok", rural=False
    )
    setup.location_remove(user=world.admin, location_id=location.pk)
    assert not ProgrammeLocation.objects.exists()
    row = ProgrammeLocation.history.filter(id=location.pk).latest()
    assert row.history_type == "-"
    assert (row.history_user, row.history_change_reason) == (
        world.admin,
        "programme.location_remove",
    )


def test_a_location_where_clients_of_the_programme_live_stays(world, case):
    location = setup.location_add(
        user=world.admin, programme_id=world.programme.pk, name="Ózd", rural=False
    )
    errors = refusal(lambda: setup.location_remove(user=world.admin, location_id=location.pk))
    assert errors["__all__"] == [
        "Ózd cannot be removed from the programme's locations.",
        "1 client of the programme lives there.",
    ]
    assert ProgrammeLocation.objects.filter(pk=location.pk).exists()


def test_a_location_a_target_or_an_event_names_stays(world):
    location = setup.location_add(
        user=world.admin, programme_id=world.programme.pk, name="Sajókaza", rural=True
    )
    target_set(
        user=world.admin,
        programme_id=world.programme.pk,
        indicator="forums",
        value=3,
        deadline=datetime.date(2027, 12, 31),
        settlement="Sajókaza",
    )
    event_create(
        user=world.worker,
        programme_id=world.programme.pk,
        kind="forum",
        title="Forum",
        settlement="sajókaza",
        held_on=datetime.date(2025, 6, 1),
    )
    errors = refusal(lambda: setup.location_remove(user=world.admin, location_id=location.pk))
    messages = " ".join(errors["__all__"])
    assert "1 target of the programme is committed for it." in messages
    assert "1 community record of the programme" in messages


# Who may ----------------------------------------------------------------------------------


SERVICES = {
    "programme_create": lambda world, ids: setup.programme_create(
        user=world.user,
        data={
            "name": "X",
            "funder_code": "X-1",
            "country": "HU",
            "starts_on": datetime.date(2025, 1, 1),
            "ends_on": datetime.date(2026, 1, 1),
        },
    ),
    "programme_update": lambda world, ids: setup.programme_update(
        user=world.user, programme_id=world.programme.pk, data={"name": "Y"}
    ),
    "partner_add": lambda world, ids: setup.partner_add(
        user=world.user,
        programme_id=world.programme.pk,
        role=ConsortiumRole.MEMBER,
        organisation_id=ids["outsider"],
    ),
    "partner_set_role": lambda world, ids: setup.partner_set_role(
        user=world.user, membership_id=ids["membership"], role=ConsortiumRole.MEMBER
    ),
    "partner_remove": lambda world, ids: setup.partner_remove(
        user=world.user, membership_id=ids["membership"]
    ),
    "location_add": lambda world, ids: setup.location_add(
        user=world.user, programme_id=world.programme.pk, name="Eger", rural=False
    ),
    "location_remove": lambda world, ids: setup.location_remove(
        user=world.user, location_id=ids["location"]
    ),
}


@pytest.fixture
def ids(world):
    location = setup.location_add(
        user=world.admin, programme_id=world.programme.pk, name="Putnok", rural=False
    )
    return {
        "outsider": OrganisationFactory(name="Outsider").pk,
        "membership": membership(world, world.health_office).pk,
        "location": location.pk,
    }


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("who", ["supervisor", "worker", "mentor"])
def test_only_a_programme_admin_sets_up_programmes(world, ids, service, who):
    world.user = getattr(world, who)
    programmes, memberships = Programme.objects.count(), ConsortiumMembership.objects.count()
    locations = ProgrammeLocation.objects.count()
    with pytest.raises(NotAllowed):
        SERVICES[service](world, ids)
    assert Programme.objects.count() == programmes
    assert Programme.objects.get(pk=world.programme.pk).name != "Y"
    assert ConsortiumMembership.objects.count() == memberships
    assert ProgrammeLocation.objects.count() == locations


@pytest.mark.parametrize("service", [name for name in SERVICES if name != "programme_create"])
def test_a_programme_admin_outside_the_consortium_finds_no_programme(world, ids, service):
    world.user = staff("programme_admin", OrganisationFactory(name="Elsewhere"))
    with pytest.raises(NotFound):
        SERVICES[service](world, ids)


@pytest.mark.parametrize("service", SERVICES)
def test_a_programme_admin_may_do_each_of_it(world, ids, service):
    world.user = world.admin
    SERVICES[service](world, ids)


def test_a_deactivated_programme_admin_may_not(world, ids):
    world.admin.is_active = False
    world.admin.save()
    world.user = world.admin
    with pytest.raises(NotAllowed):
        SERVICES["location_add"](world, ids)


def test_the_set_up_list_counts_partners_locations_and_cases(world, case):
    setup.location_add(user=world.admin, programme_id=world.programme.pk, name="Ózd", rural=False)
    ProgrammeFactory()  # not the admin's
    rows = setup.programme_list(user=world.admin)
    assert [(row, row.partner_count, row.location_count, row.case_count) for row in rows] == [
        (world.programme, 4, 1, 1)
    ]
