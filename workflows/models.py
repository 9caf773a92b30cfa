"""Viewflow process data: a proxy whose artifact is the ``Case``.

Domain data stays in real ``casework`` columns, where history sees it; the process only says
who must do what next.
"""

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
