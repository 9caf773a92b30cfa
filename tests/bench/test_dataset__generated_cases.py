"""``bench.dataset`` (behind ``manage.py generate_load`` and ``manage.py bench``): the generated
journey agrees with the flow, the services can go on from any generated case, and the sizes
asked for are the sizes written."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from bench import dataset, pages
from casework import services
from casework.journey import Stage
from casework.models import Case
from workflows import engine
from workflows.stage_tasks import STAGE_TASKS

pytestmark = pytest.mark.django_db

CLIENTS = 60
HISTORY = 4000


@pytest.fixture
def generated():
    return dataset.generate(
        clients=CLIENTS,
        history_rows=HISTORY,
        screening_ready=6,
        threads=False,
        log=lambda message: None,
    )


def test_it_writes_the_clients_cases_and_history_rows_asked_for(generated):
    assert Case.objects.count() == CLIENTS
    assert generated.rows["casework_client"] == CLIENTS
    assert generated.history_rows == HISTORY
    total = sum(
        model.history.model.objects.count()
        for model in apps.get_app_config("casework").get_models()
        if hasattr(model, "history") and not model._meta.proxy
    )
    assert total == HISTORY


def test_cases_stand_in_a_mix_of_stages(generated):
    stages = set(Case.objects.values_list("stage", flat=True))
    assert {Stage.TRAINING, Stage.CLOSED} <= stages
    assert len(stages) >= 5


def test_every_generated_case_has_exactly_the_open_task_its_stage_needs(generated):
    for case in Case.objects.all():
        names = {task.flow_task.name for task in engine.open_tasks(case)}
        if case.stage in Stage.active():
            assert len(names) == 1 and names <= STAGE_TASKS[case.stage], (case.stage, names)
        else:
            assert names == set(), (case.stage, names)


def test_the_services_go_on_from_a_generated_case(generated):
    case = Case.objects.filter(stage=Stage.SCREENING, screening__isnull=False).first()
    mentor = get_user_model().objects.get(pk=case.mentor_id)
    advanced = services.case_advance(user=mentor, case_id=case.pk, from_stage=Stage.SCREENING)
    assert advanced.stage == Stage.PLACEMENT
    assert {t.flow_task.name for t in engine.open_tasks(advanced)} == {"placement"}
    assert advanced.history.first().history_change_reason == "case.advance"


@pytest.mark.skipif(not apps.is_installed("audit"), reason="no audit app")
def test_every_generated_history_row_has_an_audit_chain_link(generated):
    from audit.models import ChainLink

    assert ChainLink.objects.count() == HISTORY


def test_every_benchmarked_page_answers_for_generated_staff(generated, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    measured = pages.measure(
        pages.pages_for(generated.organisations[0])[0], requests=0, runs=0, warmup=0
    )
    assert {key: page["status"] for key, page in measured.items()} == dict.fromkeys(measured, 200)


def test_generate_load_refuses_to_run_with_debug_off():
    with pytest.raises(CommandError, match="--force"):
        call_command("generate_load", clients=5)
