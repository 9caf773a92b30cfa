"""Notifications from the services: the row is written inside the transaction, the push leaves
only after commit, a rollback leaves neither, and each event reaches exactly the right people."""

import asyncio
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from casework import services
from casework.journey import Stage
from kernel.errors import GuardFailed
from notifications.events import Event
from notifications.models import Notification
from notifications.publish import user_group
from privacy import services as privacy_services

from ..conftest import new_client
from ..journey import TODAY, attend_sessions, submit_plan, to_stage
from .support import make_ready_to_leave, open_task, reload

pytestmark = pytest.mark.django_db


def _new_rows(after_pk: int) -> list[tuple]:
    return list(
        Notification.objects.filter(pk__gt=after_pk)
        .order_by("pk")
        .values_list("recipient__username", "event")
    )


def _last_pk() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def push():
    with mock.patch("notifications.publish.push") as patched:
        yield patched


@pytest.fixture
def ready_intake(world, case):
    make_ready_to_leave(case, world)
    return case


def test_rows_are_written_in_the_transaction_and_pushed_only_after_commit(
    world, ready_intake, push, django_capture_on_commit_callbacks
):
    last = _last_pk()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.case_advance(user=world.worker, case_id=ready_intake.pk)
        # Inside the transaction: the rows exist, nothing has been pushed.
        assert _new_rows(last) == [
            ("mentor", Event.TASK_ASSIGNED),
            ("mentor", Event.CASE_STAGE_CHANGED),
        ]
    assert push.call_count == 0

    for callback in callbacks:  # the commit
        callback()

    pushed = [call.args[0] for call in push.call_args_list]
    assert [n.pk for n in pushed] == list(
        Notification.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)
    )


def test_the_push_reaches_the_recipients_socket_group_on_the_channel_layer(
    world, ready_intake, django_capture_on_commit_callbacks
):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(world.mentor.pk), channel)

    async def receive():
        return await asyncio.wait_for(layer.receive(channel), timeout=2)

    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.case_advance(user=world.worker, case_id=ready_intake.pk)

        first, second = async_to_sync(receive)(), async_to_sync(receive)()
    finally:
        async_to_sync(layer.flush)()

    assert first["type"] == second["type"] == "notification.message"
    rows = Notification.objects.filter(recipient=world.mentor).order_by("-pk")[:2]
    assert {first["message"]["id"], second["message"]["id"]} == {row.pk for row in rows}
    assert {first["message"]["event"], second["message"]["event"]} == {
        Event.TASK_ASSIGNED,
        Event.CASE_STAGE_CHANGED,
    }


def test_a_rollback_after_notify_leaves_no_row_and_no_push(
    world, ready_intake, push, django_capture_on_commit_callbacks
):
    last = _last_pk()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.case_advance(user=world.worker, case_id=ready_intake.pk)
        assert _new_rows(last)  # notified inside the transaction...
        raise RuntimeError("something later in the same transaction failed")

    assert _new_rows(last) == []  # ...and rolled back with it
    assert callbacks == []
    push.assert_not_called()
    assert reload(ready_intake).stage == Stage.INTAKE


def test_a_refused_service_notifies_no_one(world, case, push, django_capture_on_commit_callbacks):
    last = _last_pk()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(GuardFailed),
    ):
        services.case_advance(user=world.worker, case_id=case.pk)  # no consent, no mentor

    assert (_new_rows(last), callbacks, push.call_count) == ([], [], 0)


def test_opening_a_case_assigns_the_intake_task_to_its_social_worker(world):
    client = new_client(world)
    last = _last_pk()

    case = services.case_open(
        user=world.worker, client_id=client.pk, programme_id=world.programme.pk
    )

    assert _new_rows(last) == [("worker", Event.TASK_ASSIGNED)]
    assert Notification.objects.get(pk__gt=last).task_id == open_task(case).pk


def test_the_pooled_approval_task_notifies_only_the_supervisors_of_the_cases_organisation(
    world, case
):
    case = to_stage(case, world, Stage.PLANNING)
    last = _last_pk()

    submit_plan(case, world)

    task = open_task(case)
    assert (task.flow_task.name, task.owner) == ("approve_plan", None)
    assert sorted(_new_rows(last)) == [
        ("supervisor", Event.TASK_QUEUED),
        ("supervisor2", Event.TASK_QUEUED),
    ]
    assert set(Notification.objects.filter(pk__gt=last).values_list("task_id", flat=True)) == {
        task.pk
    }


def test_an_inactive_supervisor_is_not_offered_the_pooled_task(world, case):
    case = to_stage(case, world, Stage.PLANNING)
    world.supervisor2.is_active = False
    world.supervisor2.save()
    last = _last_pk()

    submit_plan(case, world)

    assert _new_rows(last) == [("supervisor", Event.TASK_QUEUED)]


def test_a_new_mentor_gets_the_open_task_and_the_old_mentor_is_told(world, case):
    case = to_stage(case, world, Stage.TRAINING)
    task = open_task(case)
    last = _last_pk()

    services.case_assign_mentor(user=world.supervisor, case_id=case.pk, mentor_id=world.mentor2.pk)

    assert _new_rows(last) == [
        ("mentor", Event.TASK_REASSIGNED),
        ("mentor2", Event.TASK_ASSIGNED),
    ]
    task.refresh_from_db()
    assert task.owner == world.mentor2
    assert open_task(case).pk == task.pk


def test_a_stage_change_is_announced_to_the_social_worker_and_mentor_but_not_the_actor(world, case):
    case = to_stage(case, world, Stage.TRAINING)
    attend_sessions(case, world, 2)
    last = _last_pk()

    services.case_advance(user=world.mentor, case_id=case.pk, from_stage=Stage.TRAINING)

    assert _new_rows(last) == [
        ("mentor", Event.TASK_ASSIGNED),  # the screening task
        ("worker", Event.CASE_STAGE_CHANGED),
    ]
    changed = Notification.objects.get(pk__gt=last, event=Event.CASE_STAGE_CHANGED)
    assert changed.title == f"Case {case} moved to: health screening"


def test_suspending_tells_the_mentor_and_no_task_is_announced(world, case):
    case = to_stage(case, world, Stage.TRAINING)
    last = _last_pk()

    services.case_suspend(user=world.worker, case_id=case.pk, reason="Ill")

    assert _new_rows(last) == [("mentor", Event.CASE_STAGE_CHANGED)]


def test_notifications_never_carry_the_clients_name_or_special_category_data(world):
    client = new_client(
        world,
        family_name="Lakatos",
        given_name="Rozália",
    )
    case = services.case_open(
        user=world.worker, client_id=client.pk, programme_id=world.programme.pk
    )
    for category in ("ethnicity", "disability"):
        privacy_services.special_category_record(
            user=world.worker,
            case=case,
            category=category,
            answer="yes",
            minority="roma" if category == "ethnicity" else "",
            note="Roma, disability",
        )
    services.case_record_consent(user=world.worker, case_id=case.pk, given_on=TODAY)
    to_stage(case, world, Stage.CLOSED)

    titles = list(Notification.objects.filter(case=case).values_list("title", flat=True))
    assert len(titles) > 10
    for title in titles:
        for word in ("Lakatos", "Rozália", "minority", "Roma", "disabilit"):
            assert word not in title
