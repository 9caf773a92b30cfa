"""Community work for the Slovak demo programme (the local partnership of Tornaľa): two community
consultants, their field visits of the last three months, two micro-projects (one running with
milestones and a monitoring visit, one waiting for the supervisor's approval), a partnership
meeting and the action plan.

Built through the services, like the rest of the demo, and called by ``seed_demo`` in one line
(``manage.py seed_demo_community``). Safe to run again: it does nothing once the consultants'
visits exist.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from casework.models import Organisation, Programme, StaffProfile
from casework.roles import Role
from kernel.services import save_with_history

from . import services
from .models import FieldVisit, MeasureStatus, VisitKind

SLOVAK_FUNDER_CODE = "LPSZ-RS-2024-017"
LEAD = "Mesto Tornaľa"
CENTRE = "Komunitné centrum Tornaľa, n. o."


@dataclass(frozen=True)
class Consultant:
    username: str
    first_name: str
    last_name: str
    organisation: str


CONSULTANTS = [
    Consultant("consultant_sk", "Renáta", "Baloghová", LEAD),
    Consultant("consultant2_sk", "Ladislav", "Horváth", LEAD),
]

# (days ago, consultant, kind, settlement, part of it, topic, people reached, follow-up)
VISITS = [
    (
        84,
        0,
        "visit",
        "Tornaľa",
        "Osada Hámor",
        "Školská dochádzka detí",
        14,
        "Dohodnúť stretnutie s riaditeľkou ZŠ.",
    ),
    (77, 1, "visit", "Gemerská Ves", "", "Evidencia na úrade práce", 6, ""),
    (
        70,
        0,
        "contact",
        "Tornaľa",
        "Osada Hámor",
        "Prihlášky do materskej školy",
        3,
        "Pomôcť s vyplnením prihlášok.",
    ),
    (
        56,
        0,
        "visit",
        "Tornaľa",
        "Štúrova ulica",
        "Dlhy na nájomnom",
        8,
        "Sprostredkovať splátkový kalendár s mestom.",
    ),
    (49, 1, "visit", "Včelince", "", "Pitná voda v osade", 21, "Podnet na obecný úrad."),
    (
        35,
        0,
        "visit",
        "Tornaľa",
        "Osada Hámor",
        "Komunitná záhrada: záujem obyvateľov",
        17,
        "Pripraviť návrh mikroprojektu.",
    ),
    (28, 1, "contact", "Gemerská Ves", "", "Preventívne prehliadky detí", 5, ""),
    (
        14,
        0,
        "visit",
        "Tornaľa",
        "Štúrova ulica",
        "Upratovanie okolia bytoviek",
        12,
        "Objednať kontajner.",
    ),
    (7, 1, "visit", "Včelince", "", "Doučovanie detí", 9, "Nájsť dobrovoľníkov."),
    (2, 0, "visit", "Tornaľa", "Osada Hámor", "Komunitná záhrada: prvé záhony", 15, ""),
]


def seed(*, password: str) -> list:
    """Seed the Slovak programme's community work; answer the consultants (for the listing)."""
    programme = Programme.objects.filter(funder_code=SLOVAK_FUNDER_CODE).first()
    if programme is None:
        return []
    User = get_user_model()
    with transaction.atomic():
        people = [_consultant(spec, password=password) for spec in CONSULTANTS]
        if FieldVisit.objects.filter(programme=programme, consultant=people[0]).exists():
            return people
        supervisor = User.objects.get(username="supervisor_sk")
        worker = User.objects.get(username="worker_sk")
        _field_work(programme, people)
        _micro_projects(programme, people, supervisor=supervisor, worker=worker)
        _partnership(programme, supervisor=supervisor)
    return people


def _consultant(spec: Consultant, *, password: str):
    User = get_user_model()
    user = User.objects.filter(username=spec.username).first()
    if user is None:
        user = User.objects.create(
            username=spec.username,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=f"{spec.username}@demo.lepes.invalid",
            password=make_password(password),
        )
    user.groups.add(Group.objects.get(name=Role.COMMUNITY_CONSULTANT))
    if not StaffProfile.objects.filter(user=user).exists():
        profile = StaffProfile(
            user=user, organisation=Organisation.objects.get(name=spec.organisation), language="sk"
        )
        save_with_history(profile, user=None, reason="seed_demo.staff_profile")
    # A fresh instance: the role and permission caches start empty.
    return User.objects.select_related("staff_profile").get(pk=user.pk)


def _field_work(programme, people) -> None:
    today = timezone.localdate()
    for days, who, kind, settlement, locality, topic, reached, follow_up in VISITS:
        services.visit_log(
            user=people[who],
            programme_id=programme.pk,
            kind=VisitKind(kind),
            visited_on=today - datetime.timedelta(days=days),
            settlement=settlement,
            locality=locality,
            topic=topic,
            people_reached=reached,
            follow_up=follow_up,
        )


def _micro_projects(programme, people, *, supervisor, worker) -> None:
    today = timezone.localdate()
    garden = services.project_propose(
        user=people[0],
        programme_id=programme.pk,
        title="Komunitná záhrada v osade Hámor",
        description="Oplotenie pozemku, náradie a semená; záhony obrábajú rodiny z osady.",
        settlement="Tornaľa",
        budget=Decimal("4800.00"),
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=150),
        responsible_id=people[0].pk,
    )
    for title, days in [("Oplotenie pozemku", -10), ("Prvá úroda", 90)]:
        services.milestone_add(
            user=people[0],
            project_id=garden.pk,
            title=title,
            due_on=today + datetime.timedelta(days=days),
        )
    services.project_approve(user=supervisor, project_id=garden.pk, note="Súlad s opatrením 1.")
    services.project_start(user=people[0], project_id=garden.pk)
    fence = garden.milestones.get(title="Oplotenie pozemku")
    services.milestone_done(
        user=people[0],
        project_id=garden.pk,
        milestone_id=fence.pk,
        done_on=today - datetime.timedelta(days=12),
    )
    services.monitoring_visit_record(
        user=supervisor,
        project_id=garden.pk,
        visited_on=today - datetime.timedelta(days=3),
        findings="Pozemok oplotený, vysadené prvé záhony; zapojených 11 rodín.",
    )
    # Waits for the supervisor: the demo's approval is one click away.
    tutoring = services.project_propose(
        user=worker,
        programme_id=programme.pk,
        title="Doučovanie detí vo Včelinciach",
        description="Dobrovoľníci doučujú deti dvakrát týždenne v obecnej knižnici.",
        settlement="Včelince",
        budget=Decimal("2100.00"),
        starts_on=today + datetime.timedelta(days=14),
        ends_on=today + datetime.timedelta(days=200),
        responsible_id=people[1].pk,
    )
    services.milestone_add(
        user=worker,
        project_id=tutoring.pk,
        title="Nábor dobrovoľníkov",
        due_on=today + datetime.timedelta(days=30),
    )
    _action_plan(programme, supervisor=supervisor, garden=garden, tutoring=tutoring)


def _action_plan(programme, *, supervisor, garden, tutoring) -> None:
    today = timezone.localdate()
    lead = Organisation.objects.get(name=LEAD)
    centre = Organisation.objects.get(name=CENTRE)
    measures = [
        (lead, "Zapojiť obyvateľov osady do zveľaďovania okolia", 120, garden),
        (centre, "Doučovanie a mimoškolské aktivity detí", 200, tutoring),
        (lead, "Kancelária partnerstva otvorená dvakrát týždenne", -20, None),
    ]
    for owner, title, days, project in measures:
        measure = services.measure_create(
            user=supervisor,
            programme_id=programme.pk,
            organisation_id=owner.pk,
            title=title,
            deadline=today + datetime.timedelta(days=days),
        )
        if project is not None and owner == lead:
            services.measure_link(
                user=supervisor, measure_id=measure.pk, micro_project_id=project.pk
            )
        if days < 0:
            services.measure_set_status(
                user=supervisor,
                measure_id=measure.pk,
                status=MeasureStatus.DONE,
                done_on=today - datetime.timedelta(days=25),
            )
        elif project is not None and owner == lead:
            services.measure_set_status(
                user=supervisor, measure_id=measure.pk, status=MeasureStatus.IN_PROGRESS
            )


def _partnership(programme, *, supervisor) -> None:
    today = timezone.localdate()
    lead = Organisation.objects.get(name=LEAD)
    centre = Organisation.objects.get(name=CENTRE)
    services.meeting_record(
        user=supervisor,
        programme_id=programme.pk,
        title="Stretnutie lokálneho partnerstva",
        held_on=today - datetime.timedelta(days=40),
        settlement="Tornaľa",
        decisions=(
            "1. Akčný plán na tento rok schválený.\n"
            "2. Výzva na mikroprojekty otvorená do konca mesiaca."
        ),
        attendees=[
            ("Alžbeta Szabóová", lead.pk),
            ("Primátor mesta", lead.pk),
            ("Riaditeľka komunitného centra", centre.pk),
            ("Zástupca obyvateľov osady Hámor", None),
        ],
    )
