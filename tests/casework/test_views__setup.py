"""The programme set-up pages (web/setup): only a programme admin of the consortium sees them
(404 for everyone else), the list costs the same queries for more programmes, the forms go
through casework.setup and reporting.target_set and show their refusals on the fields, and
the pages render in Hungarian."""

import datetime
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from casework import setup
from casework.models import (
    ConsortiumMembership,
    ConsortiumRole,
    Organisation,
    Programme,
    ProgrammeLocation,
)
from kernel.choices import Stage
from reporting.models import Target

from ..factories import OrganisationFactory, staff
from ..journey import to_stage

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Hegyhát coordination forums",
    "funder_code": "TOP-5.3.1-16-BA1-2017-00001",
    "country": "HU",
    "starts_on": "2025-01-01",
    "ends_on": "2027-12-31",
    "uses_training": "on",
    "uses_screening": "on",
    "uses_placement": "on",
    "uses_follow_up": "on",
    "attendance_threshold": "9",
    "planned_sessions": "10",
    "first_follow_up_days": "28",
    "second_follow_up_days": "182",
    "participant_rule": "plan_signed",
    "retention_years": "10",
}


def logged_in(client, user):
    client.force_login(user)
    return client


def pages(world):
    programme = world.programme.pk
    location = setup.location_add(
        user=world.admin, programme_id=programme, name="Putnok", rural=False
    )
    membership = ConsortiumMembership.objects.get(
        programme=world.programme, organisation=world.health_office
    )
    return [
        ("get", reverse("setup:programme_list")),
        ("get", reverse("setup:programme_new")),
        ("get", reverse("setup:programme_settings", args=[programme])),
        ("get", reverse("setup:partners", args=[programme])),
        ("get", reverse("setup:locations", args=[programme])),
        ("get", reverse("setup:targets", args=[programme])),
        ("post", reverse("setup:partner_role", args=[programme, membership.pk])),
        ("post", reverse("setup:partner_remove", args=[programme, membership.pk])),
        ("post", reverse("setup:location_remove", args=[programme, location.pk])),
    ]


@pytest.mark.parametrize("who", ["supervisor", "worker", "mentor", "other_supervisor"])
def test_the_set_up_pages_answer_404_to_every_other_role(world, client, who):
    client = logged_in(client, getattr(world, who))
    for method, url in pages(world):
        response = getattr(client, method)(url, {"role": ConsortiumRole.MEMBER})
        assert response.status_code == 404, url
    assert ConsortiumMembership.objects.filter(organisation=world.health_office).get().role == (
        ConsortiumRole.PARTNER
    )
    assert ProgrammeLocation.objects.count() == 1


def test_a_programme_admin_outside_the_consortium_finds_no_programme_page(world, client):
    client = logged_in(client, staff("programme_admin", OrganisationFactory(name="Elsewhere")))
    for method, url in pages(world)[2:]:
        assert getattr(client, method)(url).status_code == 404, url
    assert client.get(reverse("setup:programme_list")).status_code == 200


def test_the_menu_shows_the_set_up_to_programme_admins_only(world, client):
    link = reverse("setup:programme_list")
    assert link in logged_in(client, world.admin).get(reverse("casework:home")).content.decode()
    client.logout()
    assert (
        link
        not in logged_in(client, world.supervisor).get(reverse("casework:home")).content.decode()
    )


def test_a_programme_admin_opens_every_page(world, client):
    client = logged_in(client, world.admin)
    for _method, url in pages(world)[:6]:
        assert client.get(url).status_code == 200, url


def test_the_programme_list_costs_the_same_queries_for_more_programmes(
    world, client, case, django_assert_num_queries
):
    client = logged_in(client, world.admin)
    client.get(reverse("setup:programme_list"))  # warm the session and the role caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("setup:programme_list")).status_code == 200
    for number in range(4):
        programme = setup.programme_create(
            user=world.admin, data={**_dates(), "name": f"P{number}", "funder_code": f"C-{number}"}
        )
        setup.location_add(user=world.admin, programme_id=programme.pk, name="Ózd", rural=False)
    with django_assert_num_queries(len(captured)):
        response = client.get(reverse("setup:programme_list"))
    assert len(response.context["programmes"]) == 5
    assert "P3" in unescape(response.content.decode())


def _dates() -> dict:
    return {
        "country": "HU",
        "starts_on": datetime.date(2025, 1, 1),
        "ends_on": datetime.date(2026, 1, 1),
    }


def test_a_programme_is_created_from_the_form(world, client):
    client = logged_in(client, world.admin)
    response = client.post(reverse("setup:programme_new"), NEW)
    programme = Programme.objects.get(funder_code=NEW["funder_code"])
    assert response.status_code == 302
    assert response.url == reverse("setup:programme_settings", args=[programme.pk])
    assert programme.history.get().history_change_reason == "programme.create"
    assert ConsortiumMembership.objects.get(programme=programme).role == ConsortiumRole.LEAD


def test_a_refused_programme_shows_its_errors_on_the_fields_and_saves_nothing(world, client):
    client = logged_in(client, world.admin)
    data = {**NEW, "ends_on": "2024-01-01", "funder_code": world.programme.funder_code}
    response = client.post(reverse("setup:programme_new"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert "before its start" in " ".join(form.errors["ends_on"])
    assert form.errors["funder_code"] == ["Another programme has this funder code."]
    assert Programme.objects.count() == 1


def test_the_settings_page_refuses_to_drop_a_used_stage(world, client, case):
    to_stage(case, world, Stage.TRAINING)
    client = logged_in(client, world.admin)
    url = reverse("setup:programme_settings", args=[world.programme.pk])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in ((name, form[name].value()) for name in form.fields)
        if value not in (None, False)
    }
    data.pop("uses_training")
    data["name"] = "Renamed"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "cannot drop the stage" in response.context["form"].errors["uses_training"][0]
    assert Programme.objects.get(pk=world.programme.pk).name != "Renamed"
    data["uses_training"] = "on"
    assert client.post(url, data).status_code == 302
    assert Programme.objects.get(pk=world.programme.pk).name == "Renamed"


def test_partners_are_added_new_or_existing_and_refusals_are_shown(world, client):
    client = logged_in(client, world.admin)
    url = reverse("setup:partners", args=[world.programme.pk])
    outsider = OrganisationFactory(name="Putnok Municipality")
    assert client.post(url, {"role": "member", "organisation": outsider.pk}).status_code == 302
    new = {
        "role": "partner",
        "name": "Labour office Ózd",
        "kind": "labour_office",
        "settlement": "Ózd",
    }
    assert client.post(url, new).status_code == 302
    assert Organisation.objects.get(name="Labour office Ózd").memberships.get().role == "partner"
    response = client.post(url, {"role": "member"})
    assert response.status_code == 400
    assert "describe a new one" in response.context["form"].errors["organisation"][0]
    response = client.post(url, {**new, "name": "Labour office"})
    assert response.status_code == 400
    assert "exists already" in response.context["form"].errors["name"][0]


def test_a_partner_in_use_is_not_removed_and_the_page_says_why(world, client, case):
    client = logged_in(client, world.admin)
    lead = ConsortiumMembership.objects.get(programme=world.programme, organisation=world.org)
    other = ConsortiumMembership.objects.get(
        programme=world.programme, organisation=world.other_org
    )
    client.post(
        reverse("setup:partner_role", args=[world.programme.pk, other.pk]), {"role": "lead"}
    )
    assert ConsortiumMembership.objects.get(pk=other.pk).role == "lead"
    office = ConsortiumMembership.objects.get(
        programme=world.programme, organisation=world.labour_office
    )
    assert (
        client.post(
            reverse("setup:partner_remove", args=[world.programme.pk, office.pk])
        ).status_code
        == 302
    )
    assert not ConsortiumMembership.objects.filter(pk=office.pk).exists()
    response = client.post(reverse("setup:partner_remove", args=[world.programme.pk, lead.pk]))
    assert response.status_code == 400
    assert "lose access" in unescape(response.content.decode())
    assert ConsortiumMembership.objects.filter(pk=lead.pk).exists()


def test_locations_are_added_and_one_in_use_stays(world, client, case):
    client = logged_in(client, world.admin)
    url = reverse("setup:locations", args=[world.programme.pk])
    assert client.post(url, {"name": "Ózd"}).status_code == 302
    assert client.post(url, {"name": "Sajókaza", "rural": "on"}).status_code == 302
    response = client.post(url, {"name": "ózd"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "This settlement is a location of the programme already."
    ]
    ozd = ProgrammeLocation.objects.get(settlement__name="Ózd")
    response = client.post(reverse("setup:location_remove", args=[world.programme.pk, ozd.pk]))
    assert response.status_code == 400
    assert "1 client of the programme lives there." in unescape(response.content.decode())
    other = ProgrammeLocation.objects.get(settlement__name="Sajókaza")
    response = client.post(reverse("setup:location_remove", args=[world.programme.pk, other.pk]))
    assert response.status_code == 302
    assert list(ProgrammeLocation.objects.values_list("settlement__name", flat=True)) == ["Ózd"]


def test_targets_are_set_per_partner_and_location(world, client):
    setup.location_add(
        user=world.admin, programme_id=world.programme.pk, name="Sajókaza", rural=True
    )
    client = logged_in(client, world.admin)
    url = reverse("setup:targets", args=[world.programme.pk])
    data = {
        "indicator": "forums",
        "organisation": world.other_org.pk,
        "settlement": "Sajókaza",
        "value": "18",
        "deadline": "2027-12-31",
    }
    assert client.post(url, data).status_code == 302
    target = Target.objects.get()
    assert (target.organisation, target.settlement, target.value) == (
        world.other_org,
        "Sajókaza",
        18,
    )
    assert target.history.get().history_change_reason == "target.set"
    response = client.post(url, {**data, "value": "0"})
    assert response.status_code == 400
    assert response.context["form"].errors["value"] == ["The target must be more than zero."]
    response = client.post(url, {**data, "settlement": "Eger"})
    assert response.status_code == 400
    assert "settlement" in response.context["form"].errors
    assert Target.objects.get().value == 18
    assert "Sajókaza" in unescape(client.get(url).content.decode())


def test_the_set_up_pages_render_in_hungarian(world, client):
    client = logged_in(client, world.admin)
    expected = {
        "setup:programme_list": "Programbeállítás",
        "setup:programme_new": "Új program",
        "setup:programme_settings": "Beállítások",
        "setup:partners": "Partner felvétele",
        "setup:locations": "Helyszín felvétele",
        "setup:targets": "Célérték megadása",
    }
    with translation.override("hu"):
        for name, words in expected.items():
            args = (
                []
                if name in {"setup:programme_list", "setup:programme_new"}
                else [world.programme.pk]
            )
            response = client.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE="hu")
            assert words in unescape(response.content.decode()), name


def test_a_programme_from_a_template_takes_its_partners_and_locations_and_the_given_code(
    world, client
):
    client = logged_in(client, world.admin)
    page = client.get(reverse("setup:programme_from_template"), HTTP_ACCEPT_LANGUAGE="hu")
    assert ("hegyhat_forums", "Hegyháti koordinációs fórumok") in page.context["form"].fields[
        "template"
    ].choices
    response = client.post(
        reverse("setup:programme_from_template"),
        {"template": "hegyhat_forums", "funder_code": "HEGYHAT-2027", "name": ""},
    )
    programme = Programme.objects.get(funder_code="HEGYHAT-2027")
    assert response.status_code == 302
    assert response["Location"] == reverse("setup:programme_settings", args=[programme.pk])
    assert programme.name == "Hegyháti koordinációs fórumok"  # empty: the template's
    assert programme.locations.count() == 6
    assert programme.memberships.filter(organisation=world.org, role="lead").exists()


def test_a_template_s_refusal_lands_on_the_form_and_writes_nothing(world, client):
    client = logged_in(client, world.admin)
    before = Programme.objects.count()
    response = client.post(
        reverse("setup:programme_from_template"),
        {"template": "hegyhat_forums", "funder_code": world.programme.funder_code},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["funder_code"]
    assert Programme.objects.count() == before
    response = client.post(reverse("setup:programme_from_template"), {"template": "nope"})
    assert response.status_code == 400
    assert response.context["form"].errors["template"]


@pytest.mark.parametrize("role", ["worker", "mentor", "supervisor"])
def test_only_a_programme_admin_reaches_the_template_page(world, client, role):
    client = logged_in(client, getattr(world, role))
    assert client.get(reverse("setup:programme_from_template")).status_code == 404
    data = {"template": "hegyhat_forums"}
    assert client.post(reverse("setup:programme_from_template"), data).status_code == 404
    assert not Programme.objects.filter(funder_code="HEGYHAT-KOORD").exists()


def test_the_partners_and_locations_pages_cost_the_same_queries_for_more_rows(
    world, client, django_assert_num_queries
):
    client = logged_in(client, world.admin)
    urls = [
        reverse("setup:partners", args=[world.programme.pk]),
        reverse("setup:locations", args=[world.programme.pk]),
    ]
    client.get(urls[0])  # warm the session and the role caches
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    for number in range(4):
        setup.partner_add(
            user=world.admin,
            programme_id=world.programme.pk,
            role=ConsortiumRole.MEMBER,
            organisation_id=OrganisationFactory(name=f"Village {number}").pk,
        )
        setup.location_add(
            user=world.admin, programme_id=world.programme.pk, name=f"Falu {number}", rural=True
        )
    for url, count in zip(urls, counts, strict=True):
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200
