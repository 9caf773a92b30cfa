"""Viewflow process data: a proxy whose artifact is the ``Case``.

Domain data stays in real ``casework`` columns, where history sees it; the process only says
who must do what next.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process, Task


class CaseProcess(Process):
    class Meta:
        proxy = True
        ordering = ["-created", "-id"]  # a stable order for Viewflow's paginated lists
        verbose_name = _("case journey")
        verbose_name_plural = _("case journeys")

    @property
    def case(self):
        return self.artifact


class CaseTask(Task):
    class Meta:
        proxy = True
        ordering = ["-created", "-id"]
        verbose_name = _("case task")
        verbose_name_plural = _("case tasks")


class OpenTask(models.Model):
    """An open human task of a case journey, with what the task boxes sort and filter by.

    Viewflow's task table knows a task's owner and permission, but the case, its organisation
    and the due date are a join and a computation away, so "my tasks due first" or "my team's
    overdue tasks" meant reading every open task of an organisation to keep a page of them.
    Here each box is one index range with a LIMIT. ``workflows.open_tasks`` keeps the rows in
    the transaction that changes the task (or the follow-ups a follow-up task is due with).
    """

    task = models.OneToOneField(
        Task, primary_key=True, on_delete=models.CASCADE, related_name="open_entry"
    )
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "casework.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    stage = models.CharField(max_length=20)
    node = models.CharField(max_length=50)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    owner_permission = models.CharField(max_length=255, blank=True)
    created = models.DateTimeField()
    due_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("open task")
        verbose_name_plural = _("open tasks")
        indexes = [
            # My tasks, those due first (no due date last), then the oldest.
            models.Index(fields=["owner", "due_at", "task"], name="open_task_mine"),
            # A team's queue: the pooled tasks of an organisation for a permission, newest first.
            models.Index(
                fields=["organisation", "owner_permission", "-created"],
                name="open_task_queue",
                condition=models.Q(owner__isnull=True),
            ),
            # A team's overdue tasks, most overdue first.
            models.Index(fields=["organisation", "due_at"], name="open_task_team_due"),
        ]

    def __str__(self) -> str:
        return f"{self.node} ({self.case_id})"
