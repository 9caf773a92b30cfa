"""Real concurrency on PostgreSQL: many users acting on one case at the same moment. The case row
lock serialises them; the first wins and every other one gets a clear refusal, never a 500-type
error, a deadlock, or a second history row or task.

Skipped on SQLite, which has no row locks (it serialises whole transactions instead).
"""

import threading
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from viewflow.workflow.status import PROCESS

from casework import services
from casework.journey import Stage
from casework.models import Case, DevelopmentPlan, PlanStatus
from kernel.errors import GuardFailed, StageConflict
from notifications.models import Notification
from workflows import engine

from ..journey import submit_plan, to_stage
from .support import make_ready_to_leave, open_task_names

pytestmark = [
    pytest.mark.postgres,
    # Decided at collection, so that SQLite runs do not pay for a transactional database.
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 8


def _race(action, user_ids: list[int]) -> list[str]:
    """Run ``action(user)`` in one thread per user id, all released at once; the outcome of each
    is "ok" or the name of the exception it raised."""
    barrier = threading.Barrier(len(user_ids))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(user_id):
        try:
            user = get_user_model().objects.get(pk=user_id)
            barrier.wait(timeout=10)
            action(user)
            outcome = "ok"
        except Exception as error:  # the test asserts on every kind
            outcome = type(error).__name__
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(pk,)) for pk in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return outcomes


def test_simultaneous_advances_with_the_same_from_stage_let_exactly_one_through(world, case):
    case = to_stage(case, world, Stage.TRAINING)
    make_ready_to_leave(case, world)
    history_before = case.history.count()
    notifications_before = Notification.objects.count()

    outcomes = _race(
        lambda user: services.case_advance(user=user, case_id=case.pk, from_stage=Stage.TRAINING),
        [world.mentor.pk] * THREADS,
    )

    assert Counter(outcomes) == {"ok": 1, StageConflict.__name__: THREADS - 1}
    case = Case.objects.get(pk=case.pk)
    assert case.stage == Stage.SCREENING
    assert case.history.count() == history_before + 1
    assert open_task_names(case) == {"screening"}
    assert len(engine.open_tasks(case)) == 1
    # One winner: its screening task for the mentor and its stage change for the worker.
    assert Notification.objects.count() == notifications_before + 2


def test_simultaneous_advances_by_different_users_without_from_stage_refuse_the_late_ones(
    world, case
):
    case = to_stage(case, world, Stage.TRAINING)
    make_ready_to_leave(case, world)
    history_before = case.history.count()

    outcomes = _race(
        lambda user: services.case_advance(user=user, case_id=case.pk),
        [world.mentor.pk, world.worker.pk, world.supervisor.pk, world.mentor.pk] * 2,
    )

    # Without from_stage, the late ones find the case in screening, whose guard is not met.
    assert Counter(outcomes) == {"ok": 1, GuardFailed.__name__: THREADS - 1}
    case = Case.objects.get(pk=case.pk)
    assert (case.stage, case.history.count()) == (Stage.SCREENING, history_before + 1)
    assert open_task_names(case) == {"screening"}


def test_simultaneous_approvals_of_one_plan_approve_it_once(world, case):
    case = to_stage(case, world, Stage.PLANNING)
    submit_plan(case, world)
    history_before = case.history.count()

    outcomes = _race(
        lambda user: services.plan_approve(user=user, case_id=case.pk),
        [world.supervisor.pk, world.supervisor2.pk] * (THREADS // 2),
    )

    assert Counter(outcomes) == {"ok": 1, GuardFailed.__name__: THREADS - 1}
    case = Case.objects.get(pk=case.pk)
    assert case.stage == Stage.TRAINING
    assert case.history.count() == history_before + 1
    assert DevelopmentPlan.objects.get(case=case).status == PlanStatus.APPROVED
    assert open_task_names(case) == {"training"}


def test_a_suspension_racing_an_advance_leaves_one_consistent_outcome(world, case):
    case = to_stage(case, world, Stage.TRAINING)
    make_ready_to_leave(case, world)

    def act(user):
        if user.pk == world.mentor.pk:
            services.case_advance(user=user, case_id=case.pk, from_stage=Stage.TRAINING)
        else:
            services.case_suspend(
                user=user, case_id=case.pk, reason="Ill", from_stage=Stage.TRAINING
            )

    outcomes = _race(act, [world.mentor.pk, world.worker.pk] * (THREADS // 2))

    assert Counter(outcomes) == {"ok": 1, StageConflict.__name__: THREADS - 1}
    case = Case.objects.get(pk=case.pk)
    assert case.stage in {Stage.SCREENING, Stage.SUSPENDED}
    expected_tasks = {"screening"} if case.stage == Stage.SCREENING else set()
    assert open_task_names(case) == expected_tasks


def test_simultaneous_resumes_start_one_process(world, case):
    case = to_stage(case, world, Stage.TRAINING)
    services.case_suspend(user=world.worker, case_id=case.pk, reason="Ill")

    outcomes = _race(
        lambda user: services.case_resume(user=user, case_id=case.pk),
        [world.worker.pk, world.supervisor.pk] * (THREADS // 2),
    )

    assert Counter(outcomes) == {"ok": 1, GuardFailed.__name__: THREADS - 1}
    case = Case.objects.get(pk=case.pk)
    assert case.stage == Stage.TRAINING
    assert open_task_names(case) == {"training"}
    assert engine.active_process(case) is not None
    assert engine.processes_of(case).filter(status=PROCESS.NEW).count() == 1


def test_viewflow_s_own_lock_is_the_case_row_the_services_lock(world, case):
    """A Viewflow view (claiming a pooled task, say) must queue behind a service holding the
    case, because ``complete_task`` relies on the service's row lock alone."""
    from django.db import OperationalError, transaction

    from workflows.flows import CaseJourneyFlow

    process = engine.active_process(case)
    holding, release = threading.Event(), threading.Event()

    def service_holding_the_case():
        try:
            with transaction.atomic():
                services.selectors.case_get(user=world.worker, case_id=case.pk, for_update=True)
                holding.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=service_holding_the_case)
    thread.start()
    try:
        assert holding.wait(timeout=10)
        with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
            with CaseJourneyFlow.lock(process.pk):
                pass
    finally:
        release.set()
        thread.join(timeout=10)
    with CaseJourneyFlow.lock(process.pk):  # free again once the service committed
        pass
