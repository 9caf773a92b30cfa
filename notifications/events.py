"""The whole notification vocabulary, with the title each event shows.

Titles take only non-sensitive parameters (case number, task and stage names): special-category
data never reaches a notification.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy


class Event(models.TextChoices):
    TASK_ASSIGNED = "task_assigned", _("task assigned")
    TASK_REASSIGNED = "task_reassigned", _("task reassigned")
    TASK_QUEUED = "task_queued", _("task waiting in your team's queue")
    TASK_OVERDUE = "task_overdue", _("task overdue")
    TASK_ESCALATED = "task_escalated", _("overdue task escalated")
    PLAN_APPROVED = "plan_approved", _("plan approved")
    PLAN_RETURNED = "plan_returned", _("plan returned")
    CASE_STAGE_CHANGED = "case_stage_changed", _("case stage changed")
    FOLLOW_UP_DUE = "follow_up_due", _("follow-up due")
    REFERRAL_ANSWERED = "referral_answered", _("referral answered")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("consent withdrawn")
    CONSENT_WITHDRAWN_TELL_PARTNER = (
        "consent_withdrawn_partner",
        _("sharing consent withdrawn: tell the partner office"),
    )
    BREAK_GLASS = "break_glass", _("case opened by break-glass")
    RIGHTS_REQUESTED = "rights_requested", _("erasure or restriction request to decide")
    MICRO_PROJECT_ASSIGNED = "micro_project_assigned", _("micro-project given to you")
    MICRO_PROJECT_STATUS = "micro_project_status", _("micro-project status changed")


TITLES = {
    Event.TASK_ASSIGNED: _("New task for you: %(task)s (case %(case)s)"),
    Event.TASK_REASSIGNED: _("Task %(task)s of case %(case)s was given to someone else"),
    Event.TASK_QUEUED: _("A task waits in your team's queue: %(task)s (case %(case)s)"),
    Event.TASK_OVERDUE: _("Overdue: %(task)s (case %(case)s)"),
    # The number picks the plural form when the title is formatted (``publish.notify``).
    Event.TASK_ESCALATED: ngettext_lazy(
        "Overdue for %(days)s day: %(task)s (case %(case)s), assigned to %(assignee)s",
        "Overdue for %(days)s days: %(task)s (case %(case)s), assigned to %(assignee)s",
        "days",
    ),
    Event.PLAN_APPROVED: _("The development plan of case %(case)s was approved"),
    Event.PLAN_RETURNED: _("The development plan of case %(case)s was returned for changes"),
    Event.CASE_STAGE_CHANGED: _("Case %(case)s moved to: %(stage)s"),
    Event.FOLLOW_UP_DUE: _("Follow-up due for case %(case)s"),
    Event.REFERRAL_ANSWERED: _("%(partner)s answered the referral of case %(case)s"),
    Event.CONSENT_WITHDRAWN: _(
        "The client of case %(case)s withdrew their consent to: %(purpose)s"
    ),
    Event.CONSENT_WITHDRAWN_TELL_PARTNER: _(
        "Consent to sharing withdrawn (case %(case)s): tell %(partner)s to stop using the data"
    ),
    Event.BREAK_GLASS: _(
        "%(user)s opened case %(case)s from outside its team (break-glass): review the reason"
    ),
    Event.RIGHTS_REQUESTED: _(
        "The client of case %(case)s asked for erasure or restriction: decide the request"
    ),
    Event.MICRO_PROJECT_ASSIGNED: _("You are responsible for the micro-project: %(project)s"),
    Event.MICRO_PROJECT_STATUS: _("Micro-project %(project)s is now: %(status)s"),
}
