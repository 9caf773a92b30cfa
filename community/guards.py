"""What a micro-project step still needs, as the translated sentences a refusal shows.

Each function answers the list of what is missing (empty: the step may go ahead), in the style of
``casework.guards``: the services refuse with exactly that list and the project page asks the
same functions beforehand, so every guard and its message exist once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from .models import MicroProjectStatus

if TYPE_CHECKING:
    from .models import MicroProject


def in_status(project: MicroProject, *statuses: str) -> list[str]:
    if project.status in statuses:
        return []
    return [
        _("The micro-project is %(status)s: this step is not possible now.")
        % {"status": project.get_status_display()}
    ]


def approvable(project: MicroProject) -> list[str]:
    missing = in_status(project, MicroProjectStatus.PROPOSED)
    if missing:
        return missing
    if project.budget is None or project.budget <= 0:
        missing.append(_("Enter the micro-project's budget."))
    if project.responsible_id is None:
        missing.append(_("Name the person responsible at the partner organisation."))
    return missing


def rejectable(project: MicroProject, reason: str) -> list[str]:
    missing = in_status(project, MicroProjectStatus.PROPOSED)
    if not missing and not reason.strip():
        missing.append(_("Give the reason for the rejection."))
    return missing


def startable(project: MicroProject) -> list[str]:
    return in_status(project, MicroProjectStatus.APPROVED)


def monitorable(project: MicroProject) -> list[str]:
    """Running to monitored: the project was visited at least once."""
    missing = in_status(project, MicroProjectStatus.RUNNING)
    if not missing and not project.monitoring_visits.all():
        missing.append(_("Record at least one monitoring visit."))
    return missing


def closable(project: MicroProject) -> list[str]:
    missing = in_status(project, MicroProjectStatus.MONITORED)
    if missing:
        return missing
    if not any(visit.is_final for visit in project.monitoring_visits.all()):
        missing.append(_("Record the final monitoring visit."))
    open_milestones = [m.title for m in project.milestones.all() if m.done_on is None]
    if open_milestones:
        missing.append(
            _("Mark these milestones done: %(milestones)s.")
            % {"milestones": ", ".join(open_milestones)}
        )
    return missing


def visitable(project: MicroProject) -> list[str]:
    """Monitoring visits are recorded while the project runs and until it is closed."""
    return in_status(project, MicroProjectStatus.RUNNING, MicroProjectStatus.MONITORED)


def editable(project: MicroProject) -> list[str]:
    """Budget, period and the responsible person change only before the approval."""
    return in_status(project, MicroProjectStatus.PROPOSED)
