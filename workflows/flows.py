"""The case journey as a Viewflow flow: who must do what next.

The flow holds no domain state. Its ``route`` gateway reads ``Case.stage`` (and the plan's status)
and opens the one human task that stage needs; completing that task is done by the service that
moves the case (``casework.services``), through ``workflows.engine``. Suspending or closing a case
cancels its process; resuming or reopening starts a new one, which ``route`` sends to the right
task. So the open task always matches the stage, and a test checks that it does.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from casework.auth import APPROVE_PLAN, organisation_queue_permission
from casework.selectors import cases_visible_to
from kernel.choices import PlanStatus, Stage

from .announce import announce_task
from .locks import case_row_lock
from .models import CaseProcess, CaseTask
from .nodes import StageTask
from .views import TaskRedirectView

# What Viewflow's inbox and queue show for a task: the case, not the node's description.
TASK_SUMMARY = "{{ process.artifact.number }} · {{ process.artifact.client }}"


def _case(activation):
    return activation.process.artifact


def _stage_is(*stages):
    return lambda activation: _case(activation).stage in stages


def _plan_status(activation) -> str | None:
    plan = getattr(_case(activation), "plan", None)
    return plan.status if plan else None


def _social_worker(activation):
    return _case(activation).social_worker


def _mentor(activation):
    return _case(activation).mentor


def _approvers_of_the_organisation(activation) -> str:
    # A pooled task: offered to the supervisors of the case's own organisation only.
    return organisation_queue_permission(APPROVE_PLAN, _case(activation).organisation_id)


def _stage_task(title, description, *, assign=None, permission=None) -> StageTask:
    """One human task of the journey: done on the case page, announced when it opens, followed
    by whatever ``route`` says the case's stage needs next. ``assign`` names its owner;
    ``permission`` pools it instead."""
    node = StageTask(TaskRedirectView.as_view()).Annotation(
        title=title, description=description, summary_template=TASK_SUMMARY
    )
    node = node.Assign(assign) if assign is not None else node.Permission(permission)
    return node.onCreate(this.announce_task).Next(this.route)


class CaseJourneyFlow(flow.Flow):
    process_class = CaseProcess
    task_class = CaseTask
    lock_impl = case_row_lock  # the case row, which every service already holds (locks.py)
    process_title = _("Client journey")
    process_description = _("From intake to closure, one task at a time.")
    process_summary_template = "{{ process.artifact }} – {{ process.artifact.get_stage_display }}"

    start = (
        flow.StartHandle(this.start_journey).Annotation(title=_("Journey started")).Next(this.route)
    )

    # One gateway decides the next task from the case itself, so starting, resuming and
    # reopening all land on the task the current stage needs. The human tasks (StageTask) ask
    # it directly when they finish, without persisting it as a task of its own (nodes.py).
    route = (
        flow.Switch()
        .Annotation(title=_("Next step for the stage"))
        .Case(this.intake, _stage_is(Stage.INTAKE))
        .Case(
            this.approve_plan,
            lambda a: _stage_is(Stage.PLANNING)(a) and _plan_status(a) == PlanStatus.SUBMITTED,
        )
        .Case(this.draft_plan, _stage_is(Stage.PLANNING))
        .Case(this.training, _stage_is(Stage.TRAINING))
        .Case(this.screening, _stage_is(Stage.SCREENING))
        .Case(this.placement, _stage_is(Stage.PLACEMENT))
        .Case(this.follow_up, _stage_is(Stage.FOLLOW_UP))
        .Default(this.end)
    )

    intake = _stage_task(
        _("Complete the intake"),
        _("Consent, entry data and a mentor for the client."),
        assign=_social_worker,
    )
    draft_plan = _stage_task(
        _("Draft the development plan"),
        _("Goals agreed with the client, then submit for approval."),
        assign=_mentor,
    )
    approve_plan = _stage_task(
        _("Approve the development plan"),
        _("Four eyes: a supervisor other than the author decides."),
        permission=_approvers_of_the_organisation,
    )
    training = _stage_task(
        _("Run the trainings and counselling"),
        _("Log sessions until the attendance threshold is met."),
        assign=_mentor,
    )
    screening = _stage_task(
        _("Offer the health screening"),
        _("Record it as done or declined (it is voluntary)."),
        assign=_mentor,
    )
    placement = _stage_task(
        _("Support the labour-market placement"),
        _("Record the placement and the outcome at exit."),
        assign=_mentor,
    )
    follow_up = _stage_task(
        _("Follow the client up"),
        _("Record the follow-ups at the programme's intervals."),
        assign=_mentor,
    )

    end = flow.End().Annotation(title=_("Journey ended"))

    # -- node callbacks -----------------------------------------------------------------------

    def start_journey(self, activation, *, case):
        activation.process.artifact = case
        activation.process.save()
        return activation.process

    def announce_task(self, activation):
        announce_task(activation.task)

    def has_view_permission(self, user, obj=None):
        """The flow's pages need ``view_caseprocess``; a process is visible only when its case
        is. Out of scope answers 404, never 403, so a process's existence is not disclosed."""
        if not (user.is_authenticated and user.has_perm("workflows.view_caseprocess")):
            return False
        if (
            obj is not None
            and not cases_visible_to(user).filter(pk=obj.artifact_object_id).exists()
        ):
            raise Http404()
        return True

    def has_manage_permission(self, user, obj=None):
        # Cancelling, undoing or reviving tasks by hand would let the flow drift from the case
        # stage; only the services may do that.
        return False
