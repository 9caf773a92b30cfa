"""The journey's human task node: a Viewflow ``View`` that, once done, asks the ``route`` gateway
which task comes next and opens that task itself.

Viewflow's own way through a gateway persists it as a task: after every human task, a ``route``
row is inserted, linked, run in a savepoint and marked done before the next human task is
created (five statements, and a whole activation's machinery, in every transition). The gateway
holds no state of its own: its answer depends only on the case. ``StageTask`` evaluates the same
``Switch`` branches, in the same order, with the finished task's activation (which has the same
process and case), and creates the chosen node directly, linked to the finished task. The flow's
graph is unchanged: the node still leads to ``route`` (the chart and BPMN export show the
gateway), and starting, resuming and reopening still pass through it as a task.
"""

from __future__ import annotations

from django.db import connections, router
from django.db.models.signals import m2m_changed
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes import Switch
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.status import STATUS

from kernel import deferred_writes

# Viewflow's internals this relies on (``Switch._branches``, ``ViewActivation``'s creation of the
# next task) are those of this release (pinned by tests/kernel/test_compat__pinned_versions.py).
WRITTEN_AGAINST = "2.4"


def branch_taken(switch: Switch, activation):
    """The node ``switch`` would activate for ``activation``: the first branch whose condition
    holds, else its default (``SwitchActivation.activate``'s rule)."""
    for node, condition in switch._branches:
        if condition is None or condition(activation):
            return node
    raise FlowRuntimeError(f"No next task available for {switch.name}")


class StageTaskActivation(ViewActivation):
    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        """``ViewActivation.create`` of this release, but the new task's "previous" row is a
        deferred write (``kernel.deferred_writes``): nothing reads it in the transaction that
        makes it, so on PostgreSQL it rides with the next statement instead of a round trip."""
        task = flow_task.flow_class.task_class(
            process=prev_activation.process, flow_task=flow_task, token=token
        )
        task.data = data if data is not None else {}
        task.seed = seed
        activation = cls(task)
        owner_permission = flow_task.calc_owner_permission(activation)
        if owner_permission:
            task.owner_permission = owner_permission
            task.owner_permission_obj = flow_task.calc_owner_permission_obj(activation)
        owner = flow_task.calc_owner(activation)
        if owner:
            task.owner = owner
            task.status = STATUS.ASSIGNED
        task.save()
        _link_previous(task, prev_activation.task)
        if flow_task._on_create is not None:
            flow_task._on_create(activation)
        return activation

    @Activation.status.super()
    def create_next(self):
        successor = self.flow_task._next
        if isinstance(successor, Switch):
            successor = branch_taken(successor, self)
        yield successor._create(self, self.task.token)


def _link_previous(task, previous) -> None:
    """``task.previous.add(previous)`` as Django's fast path writes it (no m2m signal
    receivers: one INSERT that ignores a duplicate), deferred."""
    through = type(task).previous.through
    if m2m_changed.has_listeners(through):
        task.previous.add(previous)
        return
    using = router.db_for_write(through, instance=task)
    quote = connections[using].ops.quote_name
    deferred_writes.defer(
        (
            "INSERT INTO {} ({}, {}) VALUES (%s, %s) ON CONFLICT DO NOTHING".format(
                quote(through._meta.db_table),
                quote(through._meta.get_field("from_task").column),
                quote(through._meta.get_field("to_task").column),
            ),
            [task.pk, previous.pk],
        ),
        tables={through._meta.db_table},
        using=using,
    )


class StageTask(flow.View):
    activation_class = StageTaskActivation
