"""Our task inbox: the user's own tasks, the team's queue to take tasks from, and (for
supervisors) every open task of the team, each paginated and due first.

It reads ``workflows.OpenTask`` (one index range per box); Viewflow's own inbox, queue and
process pages stay under /workflow/ for the process view and its chart.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from casework.roles import Role, roles_of
from kernel.errors import NotAllowed, NotFound, StageConflict
from workflows import selectors, services

PAGE_SIZE = 25

BOXES = {
    "mine": gettext_lazy("My tasks"),
    "queue": gettext_lazy("Team queue"),
    "team": gettext_lazy("All tasks of the team"),
}


def _boxes_for(user) -> list[str]:
    boxes = ["mine", "queue"]
    if Role.SUPERVISOR in roles_of(user):
        boxes.append("team")
    return boxes


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    boxes = _boxes_for(user)
    box = request.GET.get("box") or "mine"
    if box not in boxes:
        raise Http404()
    rows = {
        "mine": selectors.mine,
        "queue": selectors.claimable,
        "team": selectors.team,
    }[box](user=user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workflows/inbox.html",
        {
            "box": box,
            "boxes": [(name, BOXES[name]) for name in boxes],
            "page": page,
            "now": timezone.now(),
        },
    )


def _act(request: HttpRequest, task_id: int, action, done: str, back: str) -> HttpResponse:
    try:
        action(user=request.user, task_id=task_id)
    except NotFound:
        raise Http404() from None
    except (NotAllowed, StageConflict) as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done)
    return redirect(f"{reverse('tasks:inbox')}?box={back}")


@login_required
@require_POST
def claim(request: HttpRequest, task_id: int) -> HttpResponse:
    return _act(request, task_id, services.task_claim, _("The task is yours now."), "mine")


@login_required
@require_POST
def release(request: HttpRequest, task_id: int) -> HttpResponse:
    return _act(
        request, task_id, services.task_release, _("The task is back in the queue."), "queue"
    )
