"""The flow a casework service drives, as casework sees it.

A service moves the case (``Case.stage``, the FSM) and then tells the flow who must do what
next: start the journey, stop it, complete the task of the stage the case left, move a mentor's
open tasks (DESIGN.md rule 2). The flow itself is Viewflow's, in ``workflows``, which sits above
casework because it reads cases (their stage, their organisation's supervisors, their scope).
So casework does not import it: it names here what it needs (``JourneyFlow``), and
``workflows`` plugs its engine in when the app registry is ready (``WorkflowsConfig.ready``).
A service run without it fails loudly rather than leaving the flow behind the stage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from .models import Case


class JourneyFlow(Protocol):
    def start_journey(self, case: Case) -> object: ...

    def stop_journey(self, case: Case) -> None: ...

    def complete_task(self, case: Case, *, user, node_names: set[str] | None = None) -> object: ...

    def complete_stage_task(self, case: Case, *, user, stage: str) -> object: ...

    def reassign_open_tasks(self, case: Case, *, from_user, to_user) -> list: ...

    def release_open_tasks(self, user) -> list: ...


_plugged: JourneyFlow | None = None


def plug(flow: JourneyFlow) -> None:
    """Called once by the app that implements the flow."""
    global _plugged
    _plugged = flow


def _flow() -> JourneyFlow:
    if _plugged is None:
        raise ImproperlyConfigured(
            "No journey flow is plugged in: is 'workflows' in INSTALLED_APPS?"
        )
    return _plugged


def start_journey(case: Case) -> object:
    """Start a process for ``case``; it opens the task the case's stage needs."""
    return _flow().start_journey(case)


def stop_journey(case: Case) -> None:
    """Cancel the case's process (suspension, closure): its open task leaves every inbox."""
    _flow().stop_journey(case)


def complete_task(case: Case, *, user, node_names: set[str]) -> object:
    """Complete the open task among ``node_names`` as done by ``user``; the next one opens."""
    return _flow().complete_task(case, user=user, node_names=node_names)


def complete_stage_task(case: Case, *, user, stage: str) -> object:
    """Complete the open task of ``stage`` (the stage the case has just left)."""
    return _flow().complete_stage_task(case, user=user, stage=stage)


def reassign_open_tasks(case: Case, *, from_user, to_user) -> list:
    """Give ``from_user``'s open tasks on ``case`` to ``to_user`` (a new mentor)."""
    return _flow().reassign_open_tasks(case, from_user=from_user, to_user=to_user)


def release_open_tasks(user) -> list:
    """Put ``user``'s open tasks in the take-over queue of each case's organisation (the
    account is being deactivated); a mentor assigned to the case later takes them over."""
    return _flow().release_open_tasks(user)
