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

from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes import Switch
from viewflow.workflow.nodes.view import ViewActivation

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
    @Activation.status.super()
    def create_next(self):
        successor = self.flow_task._next
        if isinstance(successor, Switch):
            successor = branch_taken(successor, self)
        yield successor._create(self, self.task.token)


class StageTask(flow.View):
    activation_class = StageTaskActivation
