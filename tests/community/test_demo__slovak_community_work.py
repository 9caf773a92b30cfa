"""``community.demo``: the Slovak demo programme's consultants, visits, two micro-projects and
the action plan, built through the services and safe to run twice. (``seed_demo`` calls it;
``tests/casework/test_seed_demo.py`` runs the whole seed, including this part, twice.)"""

import pytest

from casework.models import ConsortiumRole, Country, OrganisationKind
from casework.roles import Role
from community import demo
from community.models import (
    FieldVisit,
    Measure,
    MeasureStatus,
    MicroProject,
    MicroProjectStatus,
    PartnershipMeeting,
)
from notifications.events import Event
from notifications.models import Notification

from ..factories import MembershipFactory, OrganisationFactory, ProgrammeFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def slovak_programme(db):
    programme = ProgrammeFactory(funder_code=demo.SLOVAK_FUNDER_CODE, country=Country.SLOVAKIA)
    lead = OrganisationFactory(name=demo.LEAD, settlement="Tornaľa")
    centre = OrganisationFactory(name=demo.CENTRE, kind=OrganisationKind.NGO)
    MembershipFactory(programme=programme, organisation=lead, role=ConsortiumRole.LEAD)
    MembershipFactory(programme=programme, organisation=centre)
    staff(Role.SUPERVISOR, lead, username="supervisor_sk")
    staff(Role.SOCIAL_WORKER, lead, username="worker_sk")
    return programme


def test_the_slovak_programme_gets_consultants_visits_two_projects_and_an_action_plan(
    slovak_programme,
):
    people = demo.seed(password="pw")
    assert [p.username for p in people] == ["consultant_sk", "consultant2_sk"]
    assert all(p.has_perm("community.log_field_visit") for p in people)
    visits = FieldVisit.objects.filter(programme=slovak_programme)
    assert visits.count() == len(demo.VISITS)
    assert {v.consultant_id for v in visits} == {p.pk for p in people}
    statuses = dict(
        MicroProject.objects.filter(programme=slovak_programme).values_list("title", "status")
    )
    assert sorted(statuses.values()) == [MicroProjectStatus.PROPOSED, MicroProjectStatus.RUNNING]
    assert Measure.objects.filter(programme=slovak_programme).count() == 3
    assert Measure.objects.filter(status=MeasureStatus.DONE).count() == 1
    assert PartnershipMeeting.objects.filter(programme=slovak_programme).count() == 1
    # The second consultant was made responsible for the proposal, and told so.
    assert Notification.objects.filter(
        recipient=people[1], event=Event.MICRO_PROJECT_ASSIGNED
    ).exists()


def test_running_it_again_adds_nothing(slovak_programme):
    demo.seed(password="pw")
    counts = (FieldVisit.objects.count(), MicroProject.objects.count(), Measure.objects.count())
    demo.seed(password="pw")
    assert (
        FieldVisit.objects.count(),
        MicroProject.objects.count(),
        Measure.objects.count(),
    ) == counts


def test_without_the_slovak_programme_nothing_is_seeded(db):
    assert demo.seed(password="pw") == []
    assert not FieldVisit.objects.exists()
