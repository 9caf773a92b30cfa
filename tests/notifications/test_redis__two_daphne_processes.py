"""With Redis, several daphne processes serve the same users: a task assigned through an HTTP
request to process A reaches the assignee's socket held by process B. Needs ``TEST_REDIS_URL``
(CI sets it); skipped otherwise."""

import asyncio
import os
import time

import pytest
from django.db import connections

from casework.models import PlanStatus
from notifications.events import Event
from notifications.loopback import Socket

from ..journey import complete_intake, submit_plan
from .conftest import session_key_for
from .servers import daphnes, post_form

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")

pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL to run the Redis tests"),
    pytest.mark.django_db(transaction=True),
]


def test_a_task_assigned_through_one_process_reaches_a_socket_on_another(world, case):
    complete_intake(case, world)
    submit_plan(case, world)
    mentor_key = session_key_for(world.mentor)
    supervisor_key = session_key_for(world.supervisor)
    connections.close_all()  # the daphnes write to the same database

    with daphnes(2, redis_url=REDIS_URL) as (a, b):

        async def scenario():
            socket = await Socket.open(b.host, session_key=mentor_key)
            try:
                hello = await socket.receive_type("hello")
                started = time.monotonic()
                status = await asyncio.to_thread(
                    post_form,
                    a.host,
                    f"/cases/{case.pk}/do/plan_review/",
                    {"plan_review-decision": "approve"},
                    session_key=supervisor_key,
                )
                assert status == 302, "\n".join(a.lines)
                received = []
                while not any(m["event"] == Event.TASK_ASSIGNED for m in received):
                    received.append(await socket.receive_type("notification", timeout=5))
                return hello, received, time.monotonic() - started
            finally:
                await socket.close()

        hello, received, took = asyncio.run(scenario())

    assigned = next(m for m in received if m["event"] == Event.TASK_ASSIGNED)
    assert "Run the trainings" in assigned["title"]
    assert assigned["url"] == case.get_absolute_url()
    assert assigned["unread_count"] > hello["unread_count"]
    assert took < 5
    case.plan.refresh_from_db()
    assert case.plan.status == PlanStatus.APPROVED
