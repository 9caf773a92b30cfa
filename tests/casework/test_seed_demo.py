"""``manage.py seed_demo``: demo data in every stage, built through the services, idempotent.

Seeding takes seconds, so it runs once for the module inside a transaction that is rolled back
when the module ends; each test runs in its own savepoint on top of it.
"""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from casework.journey import Stage
from casework.models import Case, DevelopmentPlan, HealthScreening, PlanStatus, Programme
from casework.roles import Role
from workflows import engine
from workflows.stage_tasks import STAGE_TASKS

NAMED_USERS = {
    "worker": Role.SOCIAL_WORKER,
    "worker2": Role.SOCIAL_WORKER,
    "mentor": Role.MENTOR,
    "mentor2": Role.MENTOR,
    "supervisor": Role.SUPERVISOR,
    "admin": Role.PROGRAMME_ADMIN,
}
SLOVAK_FUNDER_CODE = "LPSZ-RS-2024-017"


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", force=True, stdout=out, stderr=StringIO())
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows of every model, history, flow and notification tables included."""
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        output = seed()
        yield output
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_every_stage_has_cases(seeded):
    stages = set(Case.objects.values_list("stage", flat=True))
    assert stages == set(Stage.values)
    assert Case.objects.count() >= 55


@pytest.mark.django_db
def test_planning_shows_a_plan_awaiting_approval_and_one_returned(seeded):
    statuses = set(
        DevelopmentPlan.objects.filter(case__stage=Stage.PLANNING).values_list("status", flat=True)
    )
    assert {PlanStatus.SUBMITTED, PlanStatus.RETURNED, PlanStatus.DRAFT} <= statuses


@pytest.mark.django_db
def test_the_six_named_users_exist_with_their_role_and_the_demo_password(seeded):
    User = get_user_model()
    for username, role in NAMED_USERS.items():
        user = User.objects.get(username=username)
        assert set(user.groups.values_list("name", flat=True)) == {role}
        assert user.staff_profile.organisation_id
        assert user.check_password("lepes-demo")
    assert "lepes-demo" in seeded
    assert "DEMO ONLY" in seeded


@pytest.mark.django_db
def test_cases_belong_to_two_organisations_with_staff(seeded):
    User = get_user_model()
    worker, worker2 = User.objects.get(username="worker"), User.objects.get(username="worker2")
    assert worker.staff_profile.organisation != worker2.staff_profile.organisation
    for user in (worker, worker2):
        assert Case.objects.filter(organisation=user.staff_profile.organisation).count() >= 10


@pytest.mark.django_db
def test_slovak_partnership_skips_the_screening_stage(seeded):
    programme = Programme.objects.get(funder_code=SLOVAK_FUNDER_CODE)
    cases = Case.objects.filter(programme=programme)
    assert not programme.uses_screening
    assert not cases.filter(stage=Stage.SCREENING).exists()
    assert not HealthScreening.objects.filter(case__programme=programme).exists()
    # Cases went past training all the same, straight to placement.
    assert cases.filter(stage__in=[Stage.PLACEMENT, Stage.FOLLOW_UP]).exists()
    assert cases.filter(stage=Stage.CLOSED, outcome="completed").exists()


@pytest.mark.django_db
def test_each_case_has_exactly_the_open_task_its_stage_needs(seeded):
    for case in Case.objects.all():
        names = {task.flow_task.name for task in engine.open_tasks(case)}
        assert names <= STAGE_TASKS[case.stage], case.number
        assert len(names) == (0 if case.stage in (Stage.CLOSED, Stage.SUSPENDED) else 1)


@pytest.mark.django_db
def test_every_case_history_row_names_the_acting_user(seeded):
    history = Case.history.model.objects
    assert history.exists()
    assert not history.filter(history_user__isnull=True).exists()


@pytest.mark.django_db
def test_running_it_again_creates_nothing(seeded):
    before = row_counts()
    output = seed()
    assert row_counts() == before
    assert "0 cohort(s) of clients seeded" in output


@pytest.mark.django_db
def test_refuses_to_seed_when_debug_is_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", stdout=StringIO())


@pytest.mark.django_db
def test_the_demo_participants_have_complete_entry_records(seeded):
    from casework.models import EntryRecord

    records = EntryRecord.objects.all()
    signed = DevelopmentPlan.objects.filter(client_agreed_on__isnull=False)
    assert records.count() == signed.values("case__client", "case__programme").distinct().count()
    assert records.count() > 0
    assert list(records.filter(complete=False)) == []


@pytest.mark.django_db
def test_the_programmes_come_from_their_templates_and_started_fourteen_months_ago(seeded):
    from django.utils import timezone

    from casework.management.commands.seed_demo import programme_start

    start = programme_start(timezone.localdate())
    assert 14 * 30 < (timezone.localdate() - start).days < 15 * 31
    for programme in Programme.objects.all():
        created = programme.history.earliest("history_date")
        assert created.history_change_reason.startswith("programme.create_from_template: ")
        assert programme.starts_on == start == timezone.localdate(created.history_date)
    assert "since " + start.isoformat() in seeded


@pytest.mark.django_db
def test_history_is_dated_like_a_programme_fourteen_months_in(seeded):
    from django.utils import timezone

    history = Case.history.model.objects
    days = {timezone.localdate(moment) for moment in history.values_list("history_date", flat=True)}
    assert (max(days) - min(days)).days >= 400
    months = {(day.year, day.month) for day in days}
    assert len(months) >= 13  # something happened in (nearly) every month, not all today
    # Each case opened on the day its history says, and its stage changes came later.
    for case in Case.objects.all():
        rows = list(history.filter(id=case.pk).order_by("history_id"))
        assert timezone.localdate(rows[0].history_date) == case.opened_on, case.number
        assert [r.history_date for r in rows] == sorted(r.history_date for r in rows), case.number


def test_the_command_stays_small_its_data_are_files():
    from pathlib import Path

    from casework.demo import people
    from casework.management.commands import seed_demo

    assert len(Path(seed_demo.__file__).read_text(encoding="utf-8").splitlines()) < 300
    assert {path.name for path in people.DATA.glob("*.yaml")} >= {
        "cohorts.yaml",
        "names.yaml",
        "staff.yaml",
        "words_hu.yaml",
        "words_sk.yaml",
    }
