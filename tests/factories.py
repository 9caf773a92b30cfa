"""factory_boy factories for plain rows. States reached by a transition are built through the
real services instead (``tests.journey`` helpers), so tests never fake a journey."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from casework.models import (
    ConsortiumMembership,
    ConsortiumRole,
    Country,
    Organisation,
    OrganisationKind,
    Programme,
    StaffProfile,
)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Mentor programme {n}")
    funder_code = factory.Sequence(lambda n: f"EFOP-1.5.3-16-2017-{n:05d}")
    country = Country.HUNGARY
    starts_on = datetime.date(2025, 1, 1)
    ends_on = datetime.date(2028, 12, 31)
    attendance_threshold = 2
    planned_sessions = 3


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Municipality {n}")
    kind = OrganisationKind.MUNICIPALITY
    settlement = "Ózd"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsortiumMembership

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = ConsortiumRole.MEMBER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


def staff(role: str, organisation: Organisation, **kwargs):
    """A user with ``role`` working for ``organisation``."""
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    StaffProfile.objects.create(user=user, organisation=organisation, language="en")
    return user
