import pytest

from casework.journey import Stage
from workflows import engine
from workflows.stage_tasks import STAGE_TASKS

from ..journey import to_stage


def open_task_names(case):
    return {task.flow_task.name for task in engine.open_tasks(case)}


@pytest.mark.django_db
def test_flow_opens_exactly_the_task_each_stage_needs_through_a_whole_journey(world, case):
    seen = []
    for stage in [
        Stage.INTAKE,
        Stage.PLANNING,
        Stage.TRAINING,
        Stage.SCREENING,
        Stage.PLACEMENT,
        Stage.FOLLOW_UP,
        Stage.CLOSED,
    ]:
        case = to_stage(case, world, stage)
        names = open_task_names(case)
        assert names <= STAGE_TASKS[stage]
        assert len(names) == (0 if stage == Stage.CLOSED else 1)
        seen.append((stage, names))
    assert engine.active_process(case) is None
    assert seen[0][1] == {"intake"}
