"""Pages for social workers, mentors and supervisors.

Views read through selectors and write through services; they never save a model. Every case
action posts to ``case_action`` with its name, which maps to one form and one service call.
A refused action re-renders the case page with the reason, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

import privacy
from audit.access import record_access
from audit.selectors import cases_changed_since_review
from casework import selectors, services
from casework.actions import CASE_ACTIONS
from casework.journey import Stage
from casework.models import Case, FollowUpStatus, PlanStatus
from casework.permissions import Action, can
from casework.roles import Role, roles_of
from community.selectors import events_of_client
from kernel.errors import (
    GuardFailed,
    InvalidInput,
    NotAllowed,
    NotFound,
    ServiceError,
    StageConflict,
)
from kernel.pagination import KeysFirstPaginator
from privacy import selectors as privacy_selectors
from privacy.models import Answer, Minority
from web.forms import attach_errors
from workflows import engine
from workflows import selectors as task_selectors

from . import forms

ERROR_STATUS = {NotAllowed: 403, StageConflict: 409, GuardFailed: 422, InvalidInput: 400}


# --------------------------------------------------------------------------------------------
# Home pages
# --------------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    roles = roles_of(user)
    visible = selectors.cases_visible_to(user)
    context: dict[str, Any] = {"roles": roles}
    now = timezone.now()
    if roles & {Role.MENTOR, Role.SOCIAL_WORKER, Role.SUPERVISOR}:
        context["my_tasks"] = task_selectors.my_open_tasks(user=user, now=now)
        context["stage_counts"] = selectors.stage_counts(user=user)
        context["overdue_follow_ups"] = selectors.overdue_follow_ups(user=user)
    if Role.SOCIAL_WORKER in roles:
        context["intake_queue"] = selectors.cases_in_stage(user=user, stage=Stage.INTAKE)
        context["expiring_consents"] = list(
            privacy_selectors.consents_expiring(cases=visible.filter(social_worker=user))[:20]
        )
    if Role.SUPERVISOR in roles:
        context["approvals"] = task_selectors.plans_waiting_for(user=user)
        # The 30 most overdue, bounded in the database (BENCHMARKS.md, P2 finding 2).
        context["team_overdue"] = task_selectors.team_overdue(user=user, limit=30, now=now)
        context["changed_since_review"] = cases_changed_since_review(user=user)
        context["suspended"] = selectors.cases_in_stage(user=user, stage=Stage.SUSPENDED)
    if Role.PROGRAMME_ADMIN in roles:
        context["programmes"] = selectors.programme_stage_counts(user=user)
    return render(request, "casework/home.html", context)


# --------------------------------------------------------------------------------------------
# Case list and intake
# --------------------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    # Filters by the organisation's key: the page never needs its row.
    organisation_id = selectors.organisation_id_of(user)
    filters = forms.CaseFilterForm(
        request.GET or None,
        mentors=selectors.mentors_for(organisation=organisation_id)
        if organisation_id
        else selectors.User.objects.none(),
        programmes=selectors.programmes_for(user=user),
    )
    criteria = filters.cleaned_data if filters.is_valid() else {}
    cases = selectors.case_list(
        user=user,
        stage=criteria.get("stage") or "",
        mentor_id=getattr(criteria.get("mentor"), "pk", None),
        programme_id=getattr(criteria.get("programme"), "pk", None),
        search=(criteria.get("q") or "").strip(),
    )
    page = KeysFirstPaginator(cases, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casework/case_list.html",
        {"page": page, "filters": filters, "query": query.urlencode()},
    )


@login_required
def intake_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("casework.add_case"):
        raise Http404()
    form = forms.IntakeForm(
        request.POST or None,
        programmes=selectors.programmes_for(user=user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.intake(
                user=user,
                data=form.service_data(),
                programme_id=form.cleaned_data["programme"].pk,
                opened_on=form.cleaned_data["opened_on"],
                accept_duplicate=form.cleaned_data["accept_duplicate"],
            )
        except InvalidInput as error:
            if "accept_duplicate" in error.field_errors:
                form.offer_duplicate()
            attach_errors(form, error)
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
            return redirect(case)
    return render(request, "casework/intake_new.html", {"form": form}, status=_status(form))


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


# --------------------------------------------------------------------------------------------
# The case page and its actions
# --------------------------------------------------------------------------------------------


@dataclass
class CaseAction:
    """One thing a user can do on the case page: a form, the service it calls, where it shows."""

    form: type[django_forms.Form]
    run: Callable[[Any, Case, Any], Any]
    permission: str
    success: str
    section: str
    form_kwargs: Callable[[Case, Any], dict] = field(default=lambda case, user: {})


def _partners(case, user):
    return {"partners": selectors.partner_offices_for(programme=case.programme)}


ENTRY_RECORD_FIELDS = [name for name in forms.EntryRecordForm.base_fields if name != "reason"]


def _entry_record_id(case) -> int:
    record, _missing = selectors.entry_record_of(case)
    if record is None:
        raise NotFound()
    return record.pk


def _pending_follow_up_kind(case, user):
    """The questions the form asks are those of the follow-up it records: the first pending."""
    pending = [f for f in case.follow_ups.all() if f.status == FollowUpStatus.PENDING]
    return {"kind": min(pending, key=lambda f: f.due_on).kind if pending else None}


def _cleaned(form) -> dict:
    return form.cleaned_data


def _journey_step(name: str, form, success, section: str, *, data=_cleaned, form_kwargs=None):
    """The page's form for one of the journey's actions (``casework.actions``): its permission
    and service come from the registry the API renders from too; ``data`` turns the form's
    cleaned values into the plain values the action takes."""
    action = CASE_ACTIONS[name]
    return CaseAction(
        form,
        lambda user, case, bound: action.run(user, case, data(bound)),
        action.permission,
        success,
        section,
        form_kwargs or (lambda case, user: {}),
    )


def _run_review(user, case, form):
    """One form, two actions: the supervisor's decision picks approve or return."""
    name = "plan_approve" if form.cleaned_data["decision"] == form.APPROVE else "plan_return"
    return CASE_ACTIONS[name].run(user, case, {"comment": form.cleaned_data["comment"]})


def _run_session(user, case, form):
    data = form.cleaned_data
    return services.session_record(
        user=user,
        kind=data["kind"],
        format="individual",
        topic=data["topic"],
        held_on=data["held_on"],
        duration_minutes=data["duration_minutes"],
        attendance={case.pk: data["present"]},
    )


ACTIONS: dict[str, CaseAction] = {
    "consent": _journey_step(
        "consent", forms.ConsentForm, gettext_lazy("Consent recorded."), "intake"
    ),
    "assign_mentor": _journey_step(
        "assign_mentor",
        forms.AssignMentorForm,
        gettext_lazy("Mentor assigned."),
        "intake",
        data=lambda form: {"mentor": form.cleaned_data["mentor"].pk},
        form_kwargs=lambda case, user: {
            "mentors": selectors.mentors_for(organisation=case.organisation)
        },
    ),
    "advance": _journey_step(
        "advance", forms.AdvanceForm, gettext_lazy("The case moved to its next stage."), "next-step"
    ),
    "suspend": _journey_step(
        "suspend", forms.SuspendForm, gettext_lazy("The case is suspended."), "manage"
    ),
    "resume": _journey_step(
        "resume",
        forms.ResumeForm,
        gettext_lazy("The case is resumed."),
        "next-step",
        data=lambda form: {},
    ),
    "close": _journey_step("close", forms.CloseForm, gettext_lazy("The case is closed."), "manage"),
    "reopen": _journey_step(
        "reopen", forms.ReopenForm, gettext_lazy("The case is reopened."), "next-step"
    ),
    "plan": CaseAction(
        forms.PlanForm,
        lambda user, case, form: services.plan_save(
            user=user, case_id=case.pk, **form.cleaned_data
        ),
        Action.DRAFT_PLAN,
        gettext_lazy("Plan saved."),
        "plan",
    ),
    "goal_add": CaseAction(
        forms.GoalForm,
        lambda user, case, form: services.goal_add(user=user, case_id=case.pk, **form.cleaned_data),
        Action.DRAFT_PLAN,
        gettext_lazy("Goal added."),
        "plan",
    ),
    "goal_remove": CaseAction(
        forms.GoalRefForm,
        lambda user, case, form: services.goal_remove(
            user=user, goal_id=form.cleaned_data["goal_id"]
        ),
        Action.DRAFT_PLAN,
        gettext_lazy("Goal removed."),
        "plan",
    ),
    "goal_achieved": CaseAction(
        forms.GoalAchievedForm,
        lambda user, case, form: services.goal_mark_achieved(user=user, **form.cleaned_data),
        Action.RECORD,
        gettext_lazy("Goal updated."),
        "plan",
    ),
    "plan_submit": _journey_step(
        "plan_submit",
        forms.PlanSubmitForm,
        gettext_lazy("The plan was sent for approval."),
        "plan",
        data=lambda form: {},
    ),
    "plan_review": CaseAction(
        forms.PlanReviewForm,
        _run_review,
        Action.APPROVE_PLAN,
        gettext_lazy("Your decision on the plan is recorded."),
        "plan",
    ),
    "session": CaseAction(
        forms.SessionForm,
        _run_session,
        Action.RECORD,
        gettext_lazy("Session recorded."),
        "sessions",
    ),
    "screening": CaseAction(
        forms.ScreeningForm,
        lambda user, case, form: services.screening_record(
            user=user,
            case_id=case.pk,
            status=form.cleaned_data["status"],
            screened_on=form.cleaned_data["screened_on"],
            referred_to_id=getattr(form.cleaned_data["referred_to"], "pk", None),
        ),
        Action.RECORD,
        gettext_lazy("Health screening recorded."),
        "screening",
        _partners,
    ),
    "placement": CaseAction(
        forms.PlacementForm,
        lambda user, case, form: services.placement_save(
            user=user, case_id=case.pk, **form.cleaned_data
        ),
        Action.RECORD,
        gettext_lazy("Placement recorded."),
        "placement",
    ),
    "follow_up": CaseAction(
        forms.FollowUpForm,
        lambda user, case, form: services.follow_up_record(user=user, **form.service_data()),
        Action.RECORD,
        gettext_lazy("Follow-up recorded."),
        "follow-up",
        _pending_follow_up_kind,
    ),
    "entry_record": CaseAction(
        forms.EntryRecordForm,
        lambda user, case, form: services.entry_record_correct(
            user=user, record_id=_entry_record_id(case), **form.service_data()
        ),
        Action.EDIT_CLIENT,
        gettext_lazy("The entry record is corrected."),
        "entry-record",
    ),
    "referral": CaseAction(
        forms.ReferralForm,
        lambda user, case, form: services.referral_create(
            user=user,
            case_id=case.pk,
            partner_id=form.cleaned_data["partner"].pk,
            purpose=form.cleaned_data["purpose"],
        ),
        Action.RECORD,
        gettext_lazy("Referral recorded."),
        "referrals",
        _partners,
    ),
    "referral_answer": CaseAction(
        forms.ReferralAnswerForm,
        lambda user, case, form: services.referral_record_answer(user=user, **form.cleaned_data),
        Action.RECORD,
        gettext_lazy("The partner's answer is recorded."),
        "referrals",
    ),
}

# Where on the page each stage's work is done: a blocked step links there.
STAGE_SECTIONS = {
    Stage.INTAKE: "intake",
    Stage.PLANNING: "plan",
    Stage.TRAINING: "sessions",
    Stage.SCREENING: "screening",
    Stage.PLACEMENT: "placement",
    Stage.FOLLOW_UP: "follow-up",
}


def _load_case(request, case_id: int) -> Case:
    try:
        return selectors.case_detail(user=request.user, case_id=case_id)
    except NotFound:
        raise Http404() from None


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _load_case(request, case_id)
    # Who opened which client's file: supervisors can list it (audit read log).
    record_access(user=request.user, client=case.client_id, case=case, what="case_page")
    return _render_case(request, case)


@login_required
@require_POST
def case_action(request: HttpRequest, case_id: int, name: str) -> HttpResponse:
    action = ACTIONS.get(name)
    if action is None:
        raise Http404()
    # The case as far as the form needs it (its organisation's mentors, its programme's
    # partners): the service reads it again under its row lock, and the full page is read
    # only when it has to be shown again.
    try:
        case = selectors.case_get(user=request.user, case_id=case_id)
    except NotFound:
        raise Http404() from None
    user = request.user
    form = action.form(request.POST, prefix=name, **action.form_kwargs(case, user))
    status = 400
    if form.is_valid():
        try:
            action.run(user, case, form)
        except NotFound:
            raise Http404() from None
        except InvalidInput as error:
            attach_errors(form, error)
        except ServiceError as error:
            status = ERROR_STATUS.get(type(error), 400)
            messages.error(request, str(error))
        else:
            messages.success(request, str(action.success))
            return redirect(f"{case.get_absolute_url()}#{action.section}")
    # Read after the refusal, with everything the page shows: it may be because the case
    # changed meanwhile.
    return _render_case(request, _load_case(request, case_id), bound={name: form}, status=status)


def _render_case(request, case: Case, *, bound: dict | None = None, status: int = 200):
    user = request.user
    bound = bound or {}
    allowed = {name: can(user, action.permission, case) for name, action in ACTIONS.items()}

    def form_for(name: str, **initial):
        if name in bound:
            return bound[name]
        action = ACTIONS[name]
        return action.form(initial=initial, prefix=name, **action.form_kwargs(case, user))

    plan = getattr(case, "plan", None)
    stages = case.programme.stages
    current = case.suspended_from or case.closed_from or case.stage
    today = timezone.localdate()
    pending_follow_ups = [f for f in case.follow_ups.all() if f.status == FollowUpStatus.PENDING]
    entry_record, entry_missing = selectors.entry_record_of(case)
    context = {
        "entry_record": entry_record,
        "entry_missing": entry_missing,
        "case": case,
        "client": case.client,
        "plan": plan,
        "journey": [
            {
                "stage": stage,
                "label": Stage(stage).label,
                "state": (
                    "done"
                    if stages.index(stage) < stages.index(current)
                    or (stage == Stage.CLOSED and case.stage == Stage.CLOSED)
                    else "current"
                    if stage == current
                    else "todo"
                ),
            }
            for stage in stages
        ],
        "missing": CASE_ACTIONS["advance"].missing_for(case, user) if case.is_active else [],
        "fix_section": STAGE_SECTIONS.get(case.stage, "next-step"),
        "next_stage_label": Stage(case.next_stage()).label if case.is_active else "",
        "can": allowed,
        "can_advance": allowed["advance"] and case.is_active,
        # Only the categories the user is entitled to (privacy.special); the others are not
        # read at all. templates/privacy/_case_special_categories.html
        "special_categories": privacy_selectors.special_categories_for(user, case),
        "special_answers": Answer.choices,
        "special_minorities": Minority.choices,
        "can_record_special": user.has_perm("privacy.record_special_category") and case.is_active,
        "open_tasks": list(engine.open_tasks(case)),
        "process": engine.active_process(case),
        "attended": sum(1 for row in case.attendance.all() if row.present),
        "plan_editable": bool(case.stage == Stage.PLANNING and (plan is None or plan.is_editable)),
        "plan_in_review": bool(plan and plan.status == PlanStatus.SUBMITTED),
        "is_plan_author": bool(plan and plan.author_id == user.pk),
        "pending_follow_ups": pending_follow_ups,
        "events_attended": list(events_of_client(user=user, client_id=case.client_id)),
        # Consent per purpose: the section and its forms are templates/privacy/_case_consents.html
        "consents": list(privacy_selectors.consents_of(case)),
        "consent_purposes": privacy.Purpose.choices,
        "today": today,
        "forms": {
            "consent": form_for("consent", given_on=case.consent_given_on or today),
            "assign_mentor": form_for("assign_mentor", mentor=case.mentor_id),
            "advance": form_for("advance", from_stage=case.stage),
            "suspend": form_for("suspend", from_stage=case.stage),
            "resume": form_for("resume"),
            "close": form_for("close", from_stage=case.stage),
            "reopen": form_for("reopen"),
            "plan": form_for(
                "plan",
                summary=getattr(plan, "summary", ""),
                client_agreed_on=getattr(plan, "client_agreed_on", None),
            ),
            "goal_add": form_for("goal_add"),
            "plan_submit": form_for("plan_submit"),
            "plan_review": form_for("plan_review"),
            "session": form_for("session", held_on=today, present=True),
            "screening": form_for("screening", screened_on=today),
            "placement": form_for(
                "placement",
                **{
                    name: getattr(getattr(case, "placement", None), name, "")
                    for name in ("employer", "contract_type", "starts_on", "exit_outcome")
                },
            ),
            "follow_up": form_for(
                "follow_up",
                follow_up_id=pending_follow_ups[0].pk if pending_follow_ups else None,
                contacted_on=today,
            ),
            "referral": form_for("referral"),
            "entry_record": form_for(
                "entry_record",
                **{name: getattr(entry_record, name, None) for name in ENTRY_RECORD_FIELDS},
            ),
        },
    }
    # The partner offices a consent may name are the referral form's: read once, for both.
    context["consent_partners"] = list(context["forms"]["referral"].fields["partner"].queryset)
    return render(request, "casework/case_detail.html", context, status=status)


# --------------------------------------------------------------------------------------------
# Group sessions (attendance sheets for several clients)
# --------------------------------------------------------------------------------------------


@login_required
def group_session_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("casework.record_casework"):
        raise Http404()
    cases = (
        selectors.cases_visible_to(user)
        .filter(stage__in=services.SESSION_STAGES)
        .select_related("client")
        .order_by("client__family_name", "client__given_name")
    )
    form = forms.GroupSessionForm(request.POST or None, cases=cases)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.session_record(
                user=user,
                kind=data["kind"],
                format=form.session_format(),
                topic=data["topic"],
                held_on=data["held_on"],
                duration_minutes=data["duration_minutes"],
                attendance=form.attendance(),
            )
        except InvalidInput as error:
            attach_errors(form, error)
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Session and attendance sheet recorded."))
            return redirect("casework:home")
    return render(request, "casework/group_session.html", {"form": form}, status=_status(form))
