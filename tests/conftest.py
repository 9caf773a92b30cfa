from dataclasses import dataclass

import pytest
from django.conf import settings
from django.utils import timezone, translation

from casework import services
from casework.models import (
    Client,
    ConsortiumRole,
    EducationLevel,
    Gender,
    Household,
    LabourMarketStatus,
    Organisation,
    OrganisationKind,
    Programme,
    TargetGroup,
)
from casework.roles import Role
from reporting import statements

from . import clock
from .factories import MembershipFactory, OrganisationFactory, ProgrammeFactory, staff

# Before anything takes a date: the whole run lives on one local day (tests/clock.py). This
# module is the first of the tests that pytest imports.
clock.start(settings.TIME_ZONE)

TODAY = timezone.localdate()


def pytest_unconfigure(config):
    clock.stop()


@pytest.fixture(autouse=True)
def english_unless_a_test_says_otherwise():
    """Every test starts in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def no_compiled_report_statements():
    """Every test starts with no report SQL compiled (``reporting.statements``), whatever an
    earlier test compiled: ids of rolled-back rows come back on SQLite, and a test's outcome
    must not depend on which test ran before it."""
    statements.forget()


@dataclass
class World:
    """Two organisations in one programme, each with a social worker, two mentors and two
    supervisors, plus the programme's partner offices."""

    programme: Programme
    org: Organisation
    other_org: Organisation
    labour_office: Organisation
    health_office: Organisation
    worker: object
    mentor: object
    mentor2: object
    supervisor: object
    supervisor2: object
    admin: object
    other_worker: object
    other_mentor: object
    other_supervisor: object


@pytest.fixture
def world(db) -> World:
    programme = ProgrammeFactory()
    org = OrganisationFactory(name="Ózd Municipality")
    other_org = OrganisationFactory(name="Miskolc Roma NGO", kind=OrganisationKind.NGO)
    labour = OrganisationFactory(name="Labour office", kind=OrganisationKind.LABOUR_OFFICE)
    health = OrganisationFactory(name="Health office", kind=OrganisationKind.HEALTH_OFFICE)
    MembershipFactory(programme=programme, organisation=org, role=ConsortiumRole.LEAD)
    MembershipFactory(programme=programme, organisation=other_org)
    MembershipFactory(programme=programme, organisation=labour, role=ConsortiumRole.PARTNER)
    MembershipFactory(programme=programme, organisation=health, role=ConsortiumRole.PARTNER)
    return World(
        programme=programme,
        org=org,
        other_org=other_org,
        labour_office=labour,
        health_office=health,
        worker=staff(Role.SOCIAL_WORKER, org, username="worker"),
        mentor=staff(Role.MENTOR, org, username="mentor"),
        mentor2=staff(Role.MENTOR, org, username="mentor2"),
        supervisor=staff(Role.SUPERVISOR, org, username="supervisor"),
        supervisor2=staff(Role.SUPERVISOR, org, username="supervisor2"),
        admin=staff(Role.PROGRAMME_ADMIN, org, username="admin"),
        other_worker=staff(Role.SOCIAL_WORKER, other_org, username="other_worker"),
        other_mentor=staff(Role.MENTOR, other_org, username="other_mentor"),
        other_supervisor=staff(Role.SUPERVISOR, other_org, username="other_supervisor"),
    )


COMPLETE_CLIENT = {
    "family_name": "Kovács",
    "given_name": "Anna",
    "birth_year": 1990,
    "gender": Gender.FEMALE,
    "settlement": "Ózd",
    "labour_market_status": LabourMarketStatus.LONG_TERM_UNEMPLOYED,
    "education_level": EducationLevel.ISCED_2,
    "household": Household.SINGLE_ADULT_WITH_CHILDREN,
    "target_groups": [TargetGroup.SINGLE_PARENT, TargetGroup.LONG_TERM_UNEMPLOYED],
}


def new_client(world: World, **overrides) -> Client:
    """A client registered through the service. Tests often need several of the same made-up
    person; the refusal of a duplicate is proven on its own (test_services__client_duplicates)."""
    return services.client_register(
        user=world.worker, data={**COMPLETE_CLIENT, **overrides}, accept_duplicate=True
    )


@pytest.fixture
def case(world):
    """A freshly opened case, at intake."""
    client = new_client(world)
    return services.case_open(
        user=world.worker, client_id=client.pk, programme_id=world.programme.pk
    )
