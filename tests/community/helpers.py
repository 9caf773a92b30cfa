"""Community-work helpers: a consultant in the world's organisation and a micro-project taken
through the real services to the status a test needs."""

import datetime
from decimal import Decimal

from django.utils import timezone

from casework.roles import Role
from community import services

from ..factories import staff

TODAY = timezone.localdate()


def consultant(world, organisation=None, username="consultant"):
    return staff(Role.COMMUNITY_CONSULTANT, organisation or world.org, username=username)


def propose(world, user=None, **overrides):
    data = {
        "programme_id": world.programme.pk,
        "title": "Komunitná záhrada",
        "settlement": "Tornaľa",
        "starts_on": TODAY - datetime.timedelta(days=30),
        "ends_on": TODAY + datetime.timedelta(days=60),
        "budget": Decimal("4500.00"),
        "responsible_id": world.worker.pk,
    }
    return services.project_propose(user=user or world.worker, **{**data, **overrides})


def project_in(world, status: str, *, final_visit: bool = True):
    """A project proposed by the social worker, moved by the supervisor to ``status``."""
    project = propose(world)
    steps = ["approved", "running", "monitored"]
    if status == "proposed":
        return project
    services.project_approve(user=world.supervisor, project_id=project.pk)
    if status == "approved":
        return project
    services.project_start(user=world.supervisor, project_id=project.pk)
    if status == "running":
        return project
    services.monitoring_visit_record(
        user=world.supervisor,
        project_id=project.pk,
        visited_on=TODAY,
        findings="Záhrada je oplotená, vysadené prvé záhony.",
        is_final=final_visit,
    )
    services.project_mark_monitored(user=world.supervisor, project_id=project.pk)
    assert status in steps
    project.refresh_from_db()
    return project
