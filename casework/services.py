"""Every write to the casework domain (DESIGN.md rules 1–4).

Each service is keyword-only and runs in one transaction: it loads the case through the user's
scope with its row locked, checks the role permission, validates, runs the FSM transition, saves
with the acting user and a change reason on the history row, drives the flow through
``journey_flow``, and records notifications that are pushed only after commit. When a service
raises, nothing it did is kept.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

import privacy
from kernel.errors import GuardFailed, InvalidInput, NotAllowed, NotFound, StageConflict
from kernel.services import (
    bulk_create_with_history,
    delete_with_history,
    save_with_history,
    service,
)
from kernel.validators import clean_text, not_in_future, paper_date
from notifications.events import Event
from notifications.publish import notify
from privacy import selectors as privacy_selectors
from privacy import services as privacy_services

from . import entry, guards, journey_flow, selectors
from .journey import Stage
from .models import (
    EARLY_OUTCOMES,
    FOLLOW_UP_QUESTIONS,
    Attendance,
    Case,
    Client,
    DevelopmentPlan,
    EntryRecord,
    ExitOutcome,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    Goal,
    HealthScreening,
    Organisation,
    ParticipantRule,
    Placement,
    PlanStatus,
    Programme,
    Referral,
    ReferralStatus,
    Session,
    SessionFormat,
    follow_up_due_dates,
)
from .permissions import Action, require

CLIENT_FIELDS = (
    "family_name",
    "given_name",
    "birth_year",
    "gender",
    "settlement",
    "phone",
    "labour_market_status",
    "education_level",
    "household",
    "birth_date",
    "unemployed_since",
    "third_country_national",
    "foreign_origin",
    "housing_exclusion",
    "target_groups",
)

# --------------------------------------------------------------------------------------------
# Helpers shared by every service
# --------------------------------------------------------------------------------------------


def _locked_case(*, user, case_id: int) -> Case:
    """The case, in the user's own scope (a break-glass grant is for reading), row-locked, and
    not frozen: every write on a case passes here, so a restriction (GDPR Art. 18) or an erasure
    stops them all in one place."""
    case = selectors.case_get(user=user, case_id=case_id, for_update=True)
    if case.processing_frozen:  # read with the lock; the reason is looked up only when refused
        privacy.require_processing_allowed(case)
    return case


def _require_client_processing_allowed(client_id: int) -> None:
    refusal = privacy_selectors.client_processing_refusal(client_id)
    if refusal:
        raise GuardFailed(refusal)


def _expect_stage(case: Case, from_stage: str | None) -> None:
    """Refuse when the case is no longer in the stage the user acted on."""
    if from_stage is not None and case.stage != from_stage:
        raise StageConflict(
            details=[_("It is now in the stage: %(stage)s.") % {"stage": case.get_stage_display()}]
        )


def _refuse_unless(missing: list[str], *, listed: bool = False) -> None:
    """Refuse with what a guard (``guards.py``) found missing: one sentence as the message, or,
    ``listed``, as the list a step shows under "This step cannot be taken yet"."""
    if missing:
        raise GuardFailed(details=missing) if listed else GuardFailed(" ".join(missing))


def _require_stage(case: Case, stages: Iterable[str], refusal: str) -> None:
    _refuse_unless(guards.in_stage(case, stages, refusal))


def _require_active(case: Case) -> None:
    _refuse_unless(guards.active(case))


def _announce_stage_change(case: Case, *, actor) -> None:
    """Tell the case's social worker and mentor (not the actor) where the case now stands."""
    recipients = {case.social_worker, case.mentor} - {None, actor}
    for recipient in sorted(recipients, key=lambda u: u.pk):
        notify(
            recipient=recipient,
            event=Event.CASE_STAGE_CHANGED,
            # The lazy label: notify renders it in the recipient's language, not the actor's.
            params={"case": case.number, "stage": Stage(case.stage).label},
            url=case.get_absolute_url(),
            case=case,
        )


# --------------------------------------------------------------------------------------------
# Clients and intake
# --------------------------------------------------------------------------------------------


@service
def client_register(*, user, data: dict[str, Any], accept_duplicate: bool = False) -> Client:
    """Register a client with the user's organisation. A client of the organisation with the
    same name (accents and case aside) and year of birth is most often the same person typed in
    again: refused unless ``accept_duplicate`` says the user checked it is someone else."""
    if not user.has_perm("casework.add_client"):
        raise NotAllowed()
    organisation = selectors.organisation_of(user)
    if organisation is None:
        raise NotAllowed()
    unknown = set(data) - set(CLIENT_FIELDS)
    if unknown:
        raise InvalidInput({field: [_("Unknown field.")] for field in sorted(unknown)})
    client = Client(organisation=organisation, **data)
    save_with_history(client, user=user, reason="client.register")
    # Checked after the save, which validated and folded the names (the year may come from the
    # date of birth); a refusal rolls the service back, so nothing of it is kept.
    if not accept_duplicate:
        _refuse_duplicate(client)
    return client


def _refuse_duplicate(client: Client) -> None:
    if client.birth_year is None:
        return
    same = (
        Client.objects.filter(
            organisation_id=client.organisation_id,
            family_key=client.family_key,
            given_key=client.given_key,
            birth_year=client.birth_year,
        )
        .exclude(pk=client.pk)
        .only("family_name", "given_name", "birth_year")
        .first()
    )
    if same is not None:
        message = _(
            "%(name)s, born in %(year)s, is registered already: open a case for them from the"
            " client list, or tick this box if this is another person."
        )
        raise InvalidInput(
            {"accept_duplicate": [message % {"name": same.full_name, "year": same.birth_year}]}
        )


@service
def intake(
    *,
    user,
    data: dict[str, Any],
    programme_id: int,
    opened_on: datetime.date | None = None,
    accept_duplicate: bool = False,
) -> Case:
    """The intake form: register a client and open their case, both or neither (a refused
    intake date must not leave the client behind, to be typed in twice)."""
    client = client_register(user=user, data=data, accept_duplicate=accept_duplicate)
    return case_open(user=user, client_id=client.pk, programme_id=programme_id, opened_on=opened_on)


@service
def client_update(*, user, client_id: int, data: dict[str, Any]) -> Client:
    client = selectors.client_get(user=user, client_id=client_id, break_glass=False)
    client = Client.objects.select_for_update().get(pk=client.pk)
    if not user.has_perm("casework.change_client"):
        raise NotAllowed()
    _require_client_processing_allowed(client.pk)
    unknown = set(data) - set(CLIENT_FIELDS)
    if unknown:
        raise InvalidInput({field: [_("Unknown field.")] for field in sorted(unknown)})
    for field, value in data.items():
        setattr(client, field, value)
    save_with_history(client, user=user, reason="client.update")
    return client


@service
def case_open(
    *, user, client_id: int, programme_id: int, opened_on: datetime.date | None = None
) -> Case:
    """Open a case for a client in a programme: the journey starts at intake, with the intake
    task on the opening social worker. ``opened_on`` is the date on the paper intake form when
    it is entered later (never in the future, never before the programme started)."""
    if not user.has_perm("casework.add_case"):
        raise NotAllowed()
    client = selectors.client_get(user=user, client_id=client_id, break_glass=False)
    _require_client_processing_allowed(client.pk)
    try:
        programme = selectors.programmes_for(user=user).select_for_update().get(pk=programme_id)
    except (Programme.DoesNotExist, ValueError, TypeError):
        raise InvalidInput({"programme": [_("Choose a programme of your organisation.")]}) from None
    opened_on = opened_on or timezone.localdate()
    not_in_future(opened_on, field="opened_on")
    if opened_on < programme.starts_on:
        message = _("A case of this programme cannot open before %(day)s, when it started.")
        raise InvalidInput({"opened_on": [message % {"day": programme.starts_on.isoformat()}]})
    if client.cases.filter(programme=programme).exclude(stage=Stage.CLOSED).exists():
        raise GuardFailed(_("The client already has an open case in this programme."))
    # The programme row is locked above, so the sequence number cannot be taken twice.
    sequence = Case.objects.filter(programme=programme).count() + 1
    case = Case(
        number=f"{programme.funder_code}/{sequence:04d}",
        client=client,
        programme=programme,
        organisation=client.organisation,
        social_worker=user,
        opened_on=opened_on,
    )
    save_with_history(case, user=user, reason="case.open")
    journey_flow.start_journey(case)
    return case


@service
def case_record_consent(*, user, case_id: int, given_on: datetime.date) -> Case:
    case = _locked_case(user=user, case_id=case_id)
    require(user, Action.EDIT_CLIENT, case)
    _require_active(case)
    if not isinstance(given_on, datetime.date):
        raise InvalidInput({"given_on": [_("Enter a valid date.")]})
    paper_date(given_on, since=case.opened_on, field="given_on")
    case.consent_given_on = given_on
    save_with_history(case, user=user, reason="case.record_consent")
    # The intake form records the service-provision consent (signed paper form, by the user).
    privacy_services.consent_record(
        user=user, case=case, purpose=privacy.Purpose.SERVICE, given_on=given_on
    )
    return case


@service
def case_assign_mentor(*, user, case_id: int, mentor_id: int) -> Case:
    """Assign (or change) the case's mentor; their open tasks move with the case."""
    case = _locked_case(user=user, case_id=case_id)
    require(user, Action.ASSIGN_MENTOR, case)
    _require_active(case)
    mentor = selectors.mentors_for(organisation=case.organisation).filter(pk=mentor_id).first()
    if mentor is None:
        raise InvalidInput({"mentor": [_("Choose an active mentor of the case's organisation.")]})
    previous = case.mentor
    if previous == mentor:
        return case
    case.mentor = mentor
    save_with_history(case, user=user, reason="case.assign_mentor")
    journey_flow.reassign_open_tasks(case, from_user=previous, to_user=mentor)
    return case


# --------------------------------------------------------------------------------------------
# Journey transitions
# --------------------------------------------------------------------------------------------


@service
def case_advance(*, user, case_id: int, from_stage: str | None = None) -> Case:
    """Move the case to the next stage its programme uses, if the current stage is complete."""
    case = _locked_case(user=user, case_id=case_id)
    _expect_stage(case, from_stage)
    require(user, Action.ADVANCE, case)
    return _advance(case, user=user)


def _advance(case: Case, *, user) -> Case:
    missing = case.missing_to_advance()
    if missing:
        raise GuardFailed(details=missing)
    left = case.stage
    with case.exit_requirements_checked():  # just checked, on the locked row
        if not can_proceed(case.advance):
            raise GuardFailed(details=missing)
        case.advance()
    # The transition sets only stage fields, from code, on a row just read under lock: a
    # full_clean would re-check its five foreign keys and its number (six queries) for nothing.
    save_with_history(case, user=user, reason="case.advance", validate=False)
    if left == Stage.INTAKE:
        _entry_event(
            case, user=user, rule=ParticipantRule.INTAKE_COMPLETED, day=timezone.localdate()
        )
    if case.stage == Stage.FOLLOW_UP:
        _schedule_follow_ups(case, user=user)
    journey_flow.complete_stage_task(case, user=user, stage=left)
    _announce_stage_change(case, actor=user)
    return case


def _schedule_follow_ups(case: Case, *, user) -> None:
    placement = getattr(case, "placement", None)
    start = (placement.exit_recorded_on if placement else None) or timezone.localdate()
    scheduled = set(case.follow_ups.values_list("kind", flat=True))  # kept across a reopen
    for kind, due_on in follow_up_due_dates(case.programme, start).items():
        if kind not in scheduled:
            save_with_history(
                FollowUp(case=case, kind=kind, due_on=due_on, exit_on=start),
                user=user,
                reason="follow_up.schedule",
            )


@service
def case_suspend(*, user, case_id: int, reason: str, from_stage: str | None = None) -> Case:
    case = _locked_case(user=user, case_id=case_id)
    _expect_stage(case, from_stage)
    require(user, Action.SUSPEND, case)
    reason = clean_text(reason, field="reason")
    _refuse_unless(guards.suspendable(case))
    case.suspend()
    case.closure_reason = ""
    save_with_history(case, user=user, reason=f"case.suspend: {reason}"[:100])
    journey_flow.stop_journey(case)
    _announce_stage_change(case, actor=user)
    return case


@service
def case_resume(*, user, case_id: int) -> Case:
    case = _locked_case(user=user, case_id=case_id)
    require(user, Action.RESUME, case)
    _refuse_unless(guards.resumable(case))
    case.resume()
    save_with_history(case, user=user, reason="case.resume")
    journey_flow.start_journey(case)
    _announce_stage_change(case, actor=user)
    return case


@service
def case_close_early(
    *, user, case_id: int, outcome: str, reason: str, from_stage: str | None = None
) -> Case:
    case = _locked_case(user=user, case_id=case_id)
    _expect_stage(case, from_stage)
    require(user, Action.CLOSE, case)
    if outcome not in EARLY_OUTCOMES:
        raise InvalidInput({"outcome": [_("Choose why the case is closed.")]})
    reason = clean_text(reason, field="reason")
    _refuse_unless(guards.closable(case))
    case.close_early(outcome=outcome, reason=reason)
    save_with_history(case, user=user, reason="case.close_early")
    journey_flow.stop_journey(case)
    _announce_stage_change(case, actor=user)
    return case


@service
def case_reopen(*, user, case_id: int, reason: str, to_intake: bool = False) -> Case:
    """A supervisor reopens a closed case, back to the stage it left (or to intake)."""
    case = _locked_case(user=user, case_id=case_id)
    require(user, Action.REOPEN, case)
    reason = clean_text(reason, field="reason")
    _refuse_unless(guards.reopenable(case))
    case.reopen(to_intake=to_intake)
    save_with_history(case, user=user, reason=f"case.reopen: {reason}"[:100])
    if case.stage == Stage.INTAKE:
        _plan_back_to_draft(case, user=user)
    journey_flow.start_journey(case)
    _announce_stage_change(case, actor=user)
    return case


def _plan_back_to_draft(case: Case, *, user) -> None:
    """A case reopened at intake passes planning again, which only a plan approval can leave:
    an already approved plan would strand it there, so the plan goes back to draft and is
    submitted and approved again (four-eyes still applies)."""
    plan = DevelopmentPlan.objects.select_for_update().filter(case=case).first()
    if plan is not None and plan.status == PlanStatus.APPROVED:
        plan.status = PlanStatus.DRAFT
        plan.submitted_at = None
        plan.approved_by = None
        plan.approved_at = None
        save_with_history(plan, user=user, reason="plan.reopen")


# --------------------------------------------------------------------------------------------
# Development plan (four-eyes)
# --------------------------------------------------------------------------------------------


def _editable_plan(case: Case, *, user) -> DevelopmentPlan:
    require(user, Action.DRAFT_PLAN, case)
    plan = DevelopmentPlan.objects.select_for_update().filter(case=case).first()
    _refuse_unless(guards.plan_editable(case, plan))
    if plan is None:
        plan = DevelopmentPlan(case=case, author=user)
        save_with_history(plan, user=user, reason="plan.create")
    return plan


@service
def plan_save(
    *, user, case_id: int, summary: str = "", client_agreed_on: datetime.date | None = None
) -> DevelopmentPlan:
    case = _locked_case(user=user, case_id=case_id)
    plan = _editable_plan(case, user=user)
    paper_date(client_agreed_on, since=case.opened_on, field="client_agreed_on")
    plan.summary = clean_text(summary, field="summary", required=False, max_length=5000)
    plan.client_agreed_on = client_agreed_on
    save_with_history(plan, user=user, reason="plan.update")
    _entry_event(case, user=user, rule=ParticipantRule.PLAN_SIGNED, day=client_agreed_on)
    return plan


@service
def goal_add(
    *, user, case_id: int, area: str, description: str, target_date: datetime.date | None = None
) -> Goal:
    case = _locked_case(user=user, case_id=case_id)
    plan = _editable_plan(case, user=user)
    goal = Goal(
        plan=plan,
        area=area,
        description=clean_text(description, field="description"),
        target_date=target_date,
    )
    save_with_history(goal, user=user, reason="goal.add")
    return goal


def _goal_for_update(*, user, goal_id: int) -> tuple[Case, Goal]:
    goal = (
        Goal.objects.filter(pk=goal_id, plan__case__in=selectors.cases_visible_to(user))
        .select_related("plan")
        .first()
    )
    if goal is None:
        raise NotFound()
    case = _locked_case(user=user, case_id=goal.plan.case_id)
    return case, goal


@service
def goal_remove(*, user, goal_id: int) -> None:
    case, goal = _goal_for_update(user=user, goal_id=goal_id)
    _editable_plan(case, user=user)
    delete_with_history(goal, user=user, reason="goal.remove")


@service
def goal_mark_achieved(*, user, goal_id: int, achieved: bool = True) -> Goal:
    """Goals are reviewed during the whole journey, not only while planning."""
    case, goal = _goal_for_update(user=user, goal_id=goal_id)
    require(user, Action.RECORD, case)
    _require_active(case)
    goal.achieved = achieved
    save_with_history(goal, user=user, reason="goal.mark_achieved")
    return goal


@service
def plan_submit(*, user, case_id: int) -> DevelopmentPlan:
    """The mentor sends the plan to a supervisor of the organisation for approval."""
    case = _locked_case(user=user, case_id=case_id)
    require(user, Action.DRAFT_PLAN, case)
    plan = DevelopmentPlan.objects.select_for_update().filter(case=case).first()
    # The same checks as ``guards.plan_submittable``: the state of the plan as a sentence, what
    # its content lacks as the list the step shows.
    _refuse_unless(guards.plan_editable(case, plan) or guards.plan_drafted(plan))
    _refuse_unless(guards.plan_content(plan), listed=True)
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.review_comment = ""
    save_with_history(plan, user=user, reason="plan.submit")
    journey_flow.complete_task(case, user=user, node_names={"draft_plan"})
    return plan


def _plan_under_review(case: Case, *, user) -> DevelopmentPlan:
    require(user, Action.APPROVE_PLAN, case)
    plan = DevelopmentPlan.objects.select_for_update().filter(case=case).first()
    _refuse_unless(guards.plan_under_review(case, plan))
    if not guards.not_the_plan_author(plan, user):
        raise NotAllowed(_("Four eyes: you cannot approve or return a plan you wrote."))
    return plan


@service
def plan_approve(*, user, case_id: int, comment: str = "") -> DevelopmentPlan:
    """A supervisor other than the author approves the plan; the case moves on at once."""
    case = _locked_case(user=user, case_id=case_id)
    plan = _plan_under_review(case, user=user)
    plan.status = PlanStatus.APPROVED
    plan.approved_by = user
    plan.approved_at = timezone.now()
    plan.review_comment = clean_text(comment, field="comment", required=False)
    save_with_history(plan, user=user, reason="plan.approve")
    _entry_event(
        case,
        user=user,
        rule=ParticipantRule.PLAN_APPROVED,
        day=timezone.localdate(plan.approved_at),
    )
    notify(
        recipient=plan.author,
        event=Event.PLAN_APPROVED,
        params={"case": case.number},
        url=case.get_absolute_url(),
        case=case,
    )
    # Approval completes the planning stage: the approver's task ends and training begins.
    case.plan = plan
    _advance(case, user=user)
    return plan


@service
def plan_return(*, user, case_id: int, comment: str) -> DevelopmentPlan:
    case = _locked_case(user=user, case_id=case_id)
    plan = _plan_under_review(case, user=user)
    plan.status = PlanStatus.RETURNED
    plan.review_comment = clean_text(comment, field="comment")
    save_with_history(plan, user=user, reason="plan.return")
    notify(
        recipient=plan.author,
        event=Event.PLAN_RETURNED,
        params={"case": case.number},
        url=case.get_absolute_url(),
        case=case,
    )
    journey_flow.complete_task(case, user=user, node_names={"approve_plan"})
    return plan


# --------------------------------------------------------------------------------------------
# Trainings and counselling
# --------------------------------------------------------------------------------------------

SESSION_STAGES = [Stage.PLANNING, Stage.TRAINING, Stage.SCREENING, Stage.PLACEMENT, Stage.FOLLOW_UP]


@service
def session_record(
    *,
    user,
    kind: str,
    format: str,
    topic: str,
    held_on: datetime.date,
    attendance: dict[int, bool],
    duration_minutes: int = 90,
) -> Session:
    """Log one session and its attendance sheet. Every listed case must be in the user's scope,
    of one organisation, and active; an individual session has exactly one client."""
    if not attendance:
        raise InvalidInput({"attendance": [_("List at least one client.")]})
    if format == SessionFormat.INDIVIDUAL and len(attendance) != 1:
        raise InvalidInput({"attendance": [_("An individual session has exactly one client.")]})
    not_in_future(held_on, field="held_on")
    cases = []
    for case_id in sorted(attendance):
        case = _locked_case(user=user, case_id=case_id)
        require(user, Action.RECORD, case)
        _require_stage(
            case,
            SESSION_STAGES,
            _("A session cannot be recorded while the case is in the stage: %(stage)s."),
        )
        paper_date(held_on, since=case.opened_on, field="held_on")
        cases.append(case)
    organisations = {case.organisation_id for case in cases}
    if len(organisations) != 1:
        raise InvalidInput({"attendance": [_("All clients must belong to one organisation.")]})
    session = Session(
        organisation_id=organisations.pop(),
        kind=kind,
        format=format,
        topic=clean_text(topic, field="topic", max_length=200),
        held_on=held_on,
        duration_minutes=duration_minutes,
        facilitator=user,
    )
    save_with_history(session, user=user, reason="session.record")
    # The sheet in one INSERT: the database's triggers that keep the attended minutes
    # (reporting.kept) then update them in one statement, in the order of their keys, so two
    # sheets recorded at the same moment never wait for each other in a circle.
    bulk_create_with_history(
        [
            Attendance(session=session, case=case, present=bool(attendance[case.pk]))
            for case in cases
        ],
        model=Attendance,
        user=user,
        reason="session.record",
    )
    return session


@service
def attendance_set(*, user, attendance_id: int, present: bool) -> Attendance:
    """Correct one line of an attendance sheet."""
    row = Attendance.objects.filter(
        pk=attendance_id, case__in=selectors.cases_visible_to(user)
    ).first()
    if row is None:
        raise NotFound()
    case = _locked_case(user=user, case_id=row.case_id)
    require(user, Action.RECORD, case)
    _require_active(case)
    row.present = present
    save_with_history(row, user=user, reason="attendance.correct", validate=False)
    return row


# --------------------------------------------------------------------------------------------
# Health screening, placement, follow-ups, referrals
# --------------------------------------------------------------------------------------------


def _partner(partner_id: int | None, *, case: Case, field: str) -> Organisation | None:
    if partner_id in (None, ""):
        return None
    partner = selectors.partner_offices_for(programme=case.programme).filter(pk=partner_id).first()
    if partner is None:
        raise InvalidInput({field: [_("Choose a partner office of the programme.")]})
    return partner


@service
def screening_record(
    *,
    user,
    case_id: int,
    status: str,
    screened_on: datetime.date,
    referred_to_id: int | None = None,
) -> HealthScreening:
    case = _locked_case(user=user, case_id=case_id)
    require(user, Action.RECORD, case)
    _require_stage(
        case,
        [Stage.SCREENING],
        _("The health screening cannot be recorded while the case is in the stage: %(stage)s."),
    )
    paper_date(screened_on, since=case.opened_on, field="screened_on")
    screening = HealthScreening.objects.filter(case=case).first() or HealthScreening(case=case)
    screening.status = status
    screening.screened_on = screened_on
    screening.referred_to = _partner(referred_to_id, case=case, field="referred_to")
    save_with_history(screening, user=user, reason="screening.record")
    return screening


@service
def placement_save(
    *,
    user,
    case_id: int,
    employer: str = "",
    contract_type: str = "",
    starts_on: datetime.date | None = None,
    exit_outcome: str = "",
    exit_on: datetime.date | None = None,
) -> Placement:
    """``exit_on``: the day the client left, when the outcome is recorded later (default:
    the day it is recorded). The follow-ups and the ESF+ result windows count from it."""
    case = _locked_case(user=user, case_id=case_id)
    require(user, Action.RECORD, case)
    _require_stage(
        case,
        [Stage.PLACEMENT],
        _("The placement cannot be recorded while the case is in the stage: %(stage)s."),
    )
    paper_date(exit_on, since=case.opened_on, field="exit_on")
    placement = Placement.objects.filter(case=case).first() or Placement(case=case)
    placement.employer = clean_text(employer, field="employer", required=False, max_length=200)
    placement.contract_type = contract_type
    placement.starts_on = starts_on
    if exit_outcome and exit_on is not None:
        placement.exit_recorded_on = exit_on
    elif exit_outcome and exit_outcome != placement.exit_outcome:
        placement.exit_recorded_on = timezone.localdate()
    placement.exit_outcome = exit_outcome
    if not exit_outcome:
        placement.exit_recorded_on = None
    save_with_history(placement, user=user, reason="placement.record")
    return placement


def _answers_from_situation(kind: str, situation: str) -> dict[str, bool]:
    """What a one-word situation (older API clients send only that) answers of the kind's
    questions; the questions it cannot answer stay unanswered (not counted)."""
    known = {
        "employed": situation in {ExitOutcome.EMPLOYED, ExitOutcome.SELF_EMPLOYED},
        "job_searching": situation == ExitOutcome.JOB_SEEKING,
        "in_education": situation == ExitOutcome.IN_EDUCATION,
    }
    return {name: known[name] for name in FOLLOW_UP_QUESTIONS[kind] if name in known}


def _situation_from_answers(answers: dict[str, bool | None]) -> str:
    if answers.get("employed"):
        return ExitOutcome.EMPLOYED
    if answers.get("in_education"):
        return ExitOutcome.IN_EDUCATION
    if answers.get("job_searching"):
        return ExitOutcome.JOB_SEEKING
    return ""


def _clean_answers(kind: str, answers: dict[str, Any]) -> dict[str, bool]:
    asked = FOLLOW_UP_QUESTIONS[kind]
    errors = {
        name: [_("This follow-up does not ask this.")] for name in answers if name not in asked
    }
    errors |= {
        name: [_("Answer yes or no.")] for name in asked if not isinstance(answers.get(name), bool)
    }
    if errors:
        raise InvalidInput(errors)
    return {name: answers[name] for name in asked}


@service
def follow_up_record(
    *,
    user,
    follow_up_id: int,
    status: str,
    contacted_on: datetime.date | None,
    situation: str = "",
    answers: dict[str, bool] | None = None,
    notes: str = "",
) -> FollowUp:
    """Record a follow-up: reached, with the answers to its ESF+ result questions
    (``FOLLOW_UP_QUESTIONS``), or unreachable. ``situation`` alone (older clients) answers
    what it can."""
    follow_up = FollowUp.objects.filter(
        pk=follow_up_id, case__in=selectors.cases_visible_to(user)
    ).first()
    if follow_up is None:
        raise NotFound()
    case = _locked_case(user=user, case_id=follow_up.case_id)
    require(user, Action.RECORD, case)
    _require_stage(
        case,
        [Stage.FOLLOW_UP],
        _("A follow-up cannot be recorded while the case is in the stage: %(stage)s."),
    )
    reached = status == FollowUpStatus.REACHED
    if reached and not (contacted_on and (situation or answers is not None)):
        raise InvalidInput(
            {"situation": [_("A reached client needs the contact date and their situation.")]}
        )
    if status not in (FollowUpStatus.REACHED, FollowUpStatus.UNREACHABLE):
        raise InvalidInput({"status": [_("Choose reached or unreachable.")]})
    if (
        follow_up.kind == FollowUpKind.SECOND
        and case.follow_ups.filter(kind=FollowUpKind.FIRST, status=FollowUpStatus.PENDING).exists()
    ):
        raise GuardFailed(_("Record the first follow-up before the second."))
    paper_date(contacted_on, since=case.opened_on, field="contacted_on")
    given: dict[str, bool] = {}
    if reached:
        if answers is not None:
            given = _clean_answers(follow_up.kind, answers)
            situation = situation or _situation_from_answers(given)
        else:
            given = _answers_from_situation(follow_up.kind, situation)
    follow_up.status = status
    follow_up.contacted_on = contacted_on
    follow_up.situation = situation if reached else ""
    for name in {name for names in FOLLOW_UP_QUESTIONS.values() for name in names}:
        setattr(follow_up, name, given.get(name))
    # A contact dated before the recorded exit (the exit is the day its outcome was entered,
    # which can be later than the leaving itself) has no place in the result windows.
    days = (contacted_on - follow_up.exit_on).days if reached and follow_up.exit_on else None
    follow_up.days_after_exit = days if days is not None and days >= 0 else None
    follow_up.notes = clean_text(notes, field="notes", required=False)
    save_with_history(follow_up, user=user, reason="follow_up.record")
    return follow_up


@service
def referral_create(*, user, case_id: int, partner_id: int, purpose: str) -> Referral:
    case = _locked_case(user=user, case_id=case_id)
    require(user, Action.RECORD, case)
    _require_active(case)
    partner = _partner(partner_id, case=case, field="partner")
    if partner is None:
        raise InvalidInput({"partner": [_("Choose a partner office of the programme.")]})
    privacy.require_consent(case, privacy.Purpose.PARTNER_SHARING, partner=partner)
    referral = Referral(
        case=case, partner=partner, purpose=clean_text(purpose, field="purpose", max_length=200)
    )
    save_with_history(referral, user=user, reason="referral.create")
    return referral


@service
def referral_record_answer(
    *, user, referral_id: int, answer: str, answered_on: datetime.date
) -> Referral:
    referral = (
        Referral.objects.filter(pk=referral_id, case__in=selectors.cases_visible_to(user))
        .select_related("partner")
        .first()
    )
    if referral is None:
        raise NotFound()
    case = _locked_case(user=user, case_id=referral.case_id)
    require(user, Action.RECORD, case)
    if referral.status != ReferralStatus.SENT:
        raise GuardFailed(_("This referral has been answered already."))
    not_in_future(answered_on, field="answered_on")
    if answered_on and answered_on < referral.referred_on:
        raise InvalidInput({"answered_on": [_("The answer cannot predate the referral.")]})
    referral.answer = clean_text(answer, field="answer")
    referral.answered_on = answered_on
    referral.status = ReferralStatus.ANSWERED
    save_with_history(referral, user=user, reason="referral.answer")
    if case.mentor and case.mentor != user:
        notify(
            recipient=case.mentor,
            event=Event.REFERRAL_ANSWERED,
            params={"case": case.number, "partner": referral.partner.name},
            url=case.get_absolute_url(),
            case=case,
        )
    return referral


# --------------------------------------------------------------------------------------------
# ESF+ entry record
# --------------------------------------------------------------------------------------------


def _entry_event(case: Case, *, user, rule: str, day: datetime.date | None) -> None:
    """The event ``rule`` happened to ``case`` on ``day`` (None: it was undone). When the
    programme counts participants from this event, the client's entry record is taken from
    their data as it is now; later edits of the client leave it as it is. A person entering
    the programme again (a second case) keeps the first record. While the entry event can
    still be changed (the plan's signature date, before approval), the record follows its
    date; the characteristics stay those of the snapshot."""
    if case.programme.participant_rule != rule:
        return
    record = (
        EntryRecord.objects.select_for_update()
        .filter(client_id=case.client_id, programme_id=case.programme_id)
        .first()
    )
    if record is None:
        if day is not None:
            client = Client.objects.get(pk=case.client_id)
            record = entry.entry_record_from_client(client=client, case=case, entry_date=day)
            save_with_history(record, user=user, reason="entry_record.take")
    elif record.case_id == case.pk:
        if day is None:
            delete_with_history(record, user=user, reason="entry_record.undo")
        elif day != record.entry_date:
            record.entry_date = day
            entry.derive(record)
            save_with_history(record, user=user, reason="entry_record.entry_date")


@service
def entry_record_correct(*, user, record_id: int, data: dict[str, Any], reason: str) -> EntryRecord:
    """Correct an entry record (a mistake in the snapshot, not a later change of the
    client's situation): the given characteristics are replaced, what follows from them is
    worked out again, and the history keeps the user and the reason."""
    record = EntryRecord.objects.filter(
        pk=record_id, case__in=selectors.cases_visible_to(user)
    ).first()
    if record is None:
        raise NotFound()
    case = _locked_case(user=user, case_id=record.case_id)
    require(user, Action.EDIT_CLIENT, case)
    reason = clean_text(reason, field="reason", max_length=80)
    unknown = set(data) - set(entry.CORRECTABLE)
    if unknown:
        raise InvalidInput({field: [_("Unknown field.")] for field in sorted(unknown)})
    record = EntryRecord.objects.select_for_update().get(pk=record.pk)
    for field, value in data.items():
        setattr(record, field, value)
    if record.birth_date is not None:
        record.birth_year = record.birth_date.year
    if "settlement" in data:
        record.rural = entry.rural(country=case.programme.country, settlement=record.settlement)
    entry.derive(record)
    save_with_history(record, user=user, reason=f"entry_record.correct: {reason}"[:100])
    return record


# Break-glass
# --------------------------------------------------------------------------------------------


@service
def case_break_glass(*, user, number: str, reason: str):
    """Open the case numbered ``number`` from outside the user's scope, stating ``reason``:
    reading access for 24 hours, the case organisation's supervisors told after commit.
    ``NotFound`` when the number names no case the user may open this way."""
    case = selectors.case_for_break_glass(user=user, number=number)
    return privacy_services.break_glass_grant(
        user=user,
        case=case,
        reason=reason,
        supervisors=list(selectors.supervisors_of(organisation_id=case.organisation_id)),
    )
