"""``programme_create_from_template``: a programme exactly as its template file says (stages,
partners, locations, targets), written in one transaction with history, and usable: a case
walks its whole journey on it."""

import datetime

import pytest
from django.utils import timezone

from casework import services
from casework.journey import Stage
from casework.models import (
    ConsortiumMembership,
    Organisation,
    Programme,
    ProgrammeLocation,
    Settlement,
)
from casework.programme_templates import (
    OPTIONAL_STAGES,
    available_templates,
    programme_create_from_template,
    template_get,
)
from kernel.errors import InvalidInput, NotAllowed
from reporting.models import Target
from tests.conftest import COMPLETE_CLIENT
from tests.journey import to_stage

TODAY = timezone.localdate()
KEYS = sorted(template.key for template in available_templates())
START = TODAY - datetime.timedelta(days=30)


def create(world, key: str, **data) -> Programme:
    # A code of its own: the factories' programmes take EFOP-like codes from a sequence.
    data = {"starts_on": START, "funder_code": f"T-{key}", **data}
    return programme_create_from_template(user=world.admin, template_key=key, data=data)


@pytest.mark.django_db
@pytest.mark.parametrize("key", KEYS)
def test_each_template_yields_the_programme_its_file_describes(world, key):
    template = template_get(key)
    programme = create(world, key)

    assert programme.stages[:-1] == list(template.stages)
    for stage, field in OPTIONAL_STAGES.items():
        assert getattr(programme, field) == (stage in template.stages)
    assert programme.attendance_threshold == template.attendance_threshold
    assert programme.planned_sessions == template.planned_sessions
    assert (programme.first_follow_up_days, programme.second_follow_up_days) == (
        template.follow_up_days
    )
    assert programme.retention_years == template.retention_years
    # The start moved; the end moved with it, so the period is as long as the template's.
    assert programme.starts_on == START
    assert programme.ends_on - programme.starts_on == template.ends_on - template.starts_on

    members = {
        m.organisation.name: (m.role, m.organisation.kind)
        for m in programme.memberships.select_related("organisation")
    }
    for partner in template.partners:
        assert members[partner.name] == (partner.role, partner.kind)
    # The creator's organisation is not in the template: it joins as a lead to see the programme.
    assert members[world.org.name][0] == "lead"
    assert len(members) == len(template.partners) + 1

    for location in template.locations:
        assert Settlement.objects.get(country=programme.country, name=location.name).rural == (
            location.rural
        )
    assert sorted(
        ProgrammeLocation.objects.filter(programme=programme).values_list(
            "settlement__name", flat=True
        )
    ) == sorted(location.name for location in template.locations)

    targets = {
        (t.indicator, t.organisation.name if t.organisation else "", t.settlement): t
        for t in Target.objects.filter(programme=programme).select_related("organisation")
    }
    assert len(targets) == len(template.targets)
    for spec in template.targets:
        target = targets[(spec.indicator, spec.partner, spec.location)]
        assert target.value == spec.value
        assert target.deadline == programme.ends_on
        assert target.set_by == world.admin


@pytest.mark.django_db
def test_every_row_it_writes_has_history_with_the_admin_and_the_reason(world):
    programme = create(world, "tamop_5_1_1")
    reason = "programme.create_from_template"
    created = programme.history.get()
    assert created.history_user == world.admin
    # The programme's row names the template and its version; the rest are written by the
    # set-up services, with their reasons, as if the admin had typed the template in.
    assert created.history_change_reason == f"{reason}: tamop_5_1_1 v1"
    memberships = ConsortiumMembership.history.filter(programme_id=programme.pk)
    assert memberships.count() == 5
    assert set(memberships.values_list("history_user", "history_change_reason")) == {
        (world.admin.pk, "programme.create"),  # the admin's own organisation, as lead
        (world.admin.pk, "programme.partner_add"),
    }
    organisation = Organisation.objects.get(name="Encs Város Önkormányzata")
    assert organisation.history.get().history_change_reason == "programme.partner_add"
    settlement = Settlement.objects.get(name="Gagyvendégi")
    assert settlement.history.get().history_user == world.admin
    location = ProgrammeLocation.objects.get(programme=programme, settlement=settlement)
    assert location.history.get().history_change_reason == "programme.location_add"
    assert set(
        Target.history.filter(programme_id=programme.pk).values_list("history_change_reason")
    ) == {("target.set",)}


@pytest.mark.django_db
def test_the_code_and_name_are_the_template_s_unless_given(world):
    programme = programme_create_from_template(user=world.admin, template_key="hegyhat_forums")
    assert programme.funder_code == "HEGYHAT-KOORD"
    assert (programme.starts_on, programme.ends_on) == (
        datetime.date(2019, 1, 1),
        datetime.date(2021, 12, 31),
    )
    programme = create(world, "hegyhat_forums", funder_code="HEGYHAT-2027", name="Hegyhát 2027")
    assert (programme.funder_code, programme.name) == ("HEGYHAT-2027", "Hegyhát 2027")


@pytest.mark.django_db
def test_the_programme_is_named_in_its_country_language(world):
    assert create(world, "lpsz_tornala").name == "Lokálne partnerstvo sociálneho začlenenia Tornaľa"
    assert create(world, "hegyhat_forums").name == "Hegyháti koordinációs fórumok"


@pytest.mark.django_db
def test_existing_organisations_are_reused_not_duplicated(world):
    create(world, "efop_1_5_3")
    create(world, "top_6_9_1", funder_code="TOP-2")
    assert Organisation.objects.filter(name="Esélyhíd Közhasznú Egyesület").count() == 1


@pytest.mark.django_db
def test_only_a_programme_admin_creates_one_and_a_refusal_writes_nothing(world):
    before = Programme.objects.count(), Organisation.objects.count()
    with pytest.raises(NotAllowed):
        programme_create_from_template(user=world.worker, template_key="efop_1_5_3")
    assert (Programme.objects.count(), Organisation.objects.count()) == before


@pytest.mark.django_db
def test_a_taken_funder_code_is_refused(world):
    create(world, "efop_1_5_3")
    with pytest.raises(InvalidInput) as error:
        create(world, "efop_1_5_3")
    assert "funder_code" in error.value.field_errors


@pytest.mark.django_db
def test_an_unknown_template_or_override_is_refused(world):
    with pytest.raises(InvalidInput) as error:
        programme_create_from_template(user=world.admin, template_key="nope")
    assert "template" in error.value.field_errors
    with pytest.raises(InvalidInput):
        create(world, "efop_1_5_3", attendance_threshold=1)


@pytest.mark.django_db
def test_a_location_known_with_another_rural_flag_rolls_everything_back(world):
    Settlement.objects.create(country="HU", name="Bikal", rural=False)
    with pytest.raises(InvalidInput) as error:
        create(world, "hegyhat_forums")
    assert "Bikal" in str(error.value.field_errors["locations"])
    assert not Programme.objects.filter(funder_code="T-hegyhat_forums").exists()
    assert not Organisation.objects.filter(name="Sásd Város Önkormányzata").exists()
    assert not Settlement.objects.filter(name="Sásd").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", KEYS)
def test_a_case_walks_its_whole_journey_on_each_template_programme(world, key):
    programme = create(world, key)
    client = services.client_register(user=world.worker, data=COMPLETE_CLIENT)
    case = services.case_open(user=world.worker, client_id=client.pk, programme_id=programme.pk)
    seen = []
    while case.stage != Stage.CLOSED:
        seen.append(case.stage)
        case = to_stage(case, world, programme.stages[programme.stages.index(case.stage) + 1])
    assert seen == list(template_get(key).stages)
    assert case.outcome == "completed"
