"""Which task nodes of the journey flow may be open while a case is in each stage.

The flow opens them (``flows.CaseJourneyFlow.route``), services complete the one of the stage a
case leaves (``engine.complete_stage_task``), and a test checks the two machines agree on it.
"""

from kernel.choices import Stage

STAGE_TASKS: dict[str, set[str]] = {
    Stage.INTAKE: {"intake"},
    Stage.PLANNING: {"draft_plan", "approve_plan"},
    Stage.TRAINING: {"training"},
    Stage.SCREENING: {"screening"},
    Stage.PLACEMENT: {"placement"},
    Stage.FOLLOW_UP: {"follow_up"},
    Stage.SUSPENDED: set(),
    Stage.CLOSED: set(),
}
