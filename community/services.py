"""Writes for community events: same rules as casework.services (one transaction, scope,
permission, history user and reason)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import selectors as casework_selectors
from casework.models import ConsortiumRole
from kernel.errors import GuardFailed, InvalidInput, NotAllowed, NotFound
from kernel.services import field_errors, save_with_history, service
from kernel.validators import clean_text, not_in_future
from notifications.events import Event
from notifications.publish import notify
from privacy import selectors as privacy_selectors

from . import guards, selectors
from .models import (
    CommunityEvent,
    EventAttendee,
    EventKind,
    FieldVisit,
    FieldVisitClient,
    Measure,
    MeasureLink,
    MeasureStatus,
    MeetingAttendee,
    MicroProject,
    MicroProjectStatus,
    Milestone,
    MonitoringVisit,
    PartnershipMeeting,
    VisitKind,
)

RECORD_PERMISSION = "casework.record_casework"


@service
def event_create(
    *,
    user,
    programme_id: int,
    kind: str,
    title: str,
    settlement: str,
    held_on: datetime.date,
    venue: str = "",
) -> CommunityEvent:
    if not user.has_perm(RECORD_PERMISSION):
        raise NotAllowed()
    organisation = casework_selectors.organisation_of(user)
    programme = casework_selectors.programmes_for(user=user).filter(pk=programme_id).first()
    if organisation is None or programme is None:
        raise InvalidInput({"programme": [_("Choose a programme of your organisation.")]})
    if kind not in EventKind.values:
        raise InvalidInput({"kind": [_("Choose the kind of event.")]})
    not_in_future(held_on, field="held_on")
    event = CommunityEvent(
        programme=programme,
        organisation=organisation,
        kind=kind,
        title=title.strip(),
        settlement=settlement.strip(),
        venue=venue.strip(),
        held_on=held_on,
        organiser=user,
    )
    save_with_history(event, user=user, reason="event.create")
    return event


@service
def event_record_attendance(
    *, user, event_id: int, client_ids: list[int], guests: list[tuple[str, str]]
) -> list[EventAttendee]:
    """Add lines to the attendance sheet: clients of the organisation and named guests.
    A client already on the sheet is not added twice."""
    if not user.has_perm(RECORD_PERMISSION):
        raise NotAllowed()
    event = selectors.event_get(user=user, event_id=event_id, for_update=True)
    clients = {
        client.pk: client
        for client in casework_selectors.clients_visible_to(user, break_glass=False).filter(
            pk__in=client_ids
        )
    }
    unknown = set(client_ids) - set(clients)
    if unknown:
        raise InvalidInput({"clients": [_("Choose clients of your organisation.")]})
    frozen = privacy_selectors.frozen_client_ids(clients)
    if frozen:
        # A restriction (GDPR Art. 18) or an erasure stops this processing too.
        first = min(frozen)
        raise GuardFailed(
            privacy_selectors.client_processing_refusal(first),
            details=[clients[pk].full_name for pk in sorted(frozen)],
        )
    cleaned_guests = []
    for name, settlement in guests:
        name, settlement = (name or "").strip(), (settlement or "").strip()
        if not name:
            raise InvalidInput({"guests": [_("Every guest needs a name.")]})
        cleaned_guests.append((name[:200], settlement[:100]))
    if not clients and not cleaned_guests:
        raise InvalidInput({"clients": [_("Add at least one attendee.")]})
    already = set(event.attendees.filter(client__isnull=False).values_list("client_id", flat=True))
    added = []
    for client_id in sorted(set(clients) - already):
        row = EventAttendee(event=event, client=clients[client_id])
        save_with_history(row, user=user, reason="event.attendance")
        added.append(row)
    for name, settlement in cleaned_guests:
        row = EventAttendee(event=event, guest_name=name, guest_settlement=settlement)
        save_with_history(row, user=user, reason="event.attendance")
        added.append(row)
    return added


# --------------------------------------------------------------------------------------------
# Community work: field visits, micro-projects, partnership meetings, the action plan
# --------------------------------------------------------------------------------------------

LOG_VISIT = "community.log_field_visit"
PROPOSE_PROJECT = "community.propose_micro_project"
DECIDE_PROJECT = "community.decide_micro_project"
RUN_PROJECT = "community.run_micro_project"
RECORD_PARTNERSHIP = "community.record_partnership"


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise NotAllowed()


def _programme_of_user(user, programme_id: int):
    programme = casework_selectors.programmes_for(user=user).filter(pk=programme_id).first()
    if programme is None:
        raise InvalidInput({"programme": [_("Choose a programme of your organisation.")]})
    return programme


def _refuse_unless(missing: list[str]) -> None:
    if missing:
        raise GuardFailed(details=missing)


@service
def visit_log(
    *,
    user,
    programme_id: int,
    kind: str,
    visited_on: datetime.date,
    settlement: str,
    topic: str,
    people_reached: int,
    locality: str = "",
    follow_up: str = "",
    client_ids: list[int] | None = None,
) -> FieldVisit:
    """A consultant's visit to (or contact with) a community, optionally naming the clients it
    concerned: only clients the consultant may see (which links the visit to their cases)."""
    _require(user, LOG_VISIT)
    organisation = casework_selectors.organisation_of(user)
    if organisation is None:
        raise NotAllowed()
    programme = _programme_of_user(user, programme_id)
    if kind not in VisitKind.values:
        raise InvalidInput({"kind": [_("Choose whether it was a visit or a contact.")]})
    not_in_future(visited_on, field="visited_on")
    if not isinstance(people_reached, int) or people_reached < 1:
        raise InvalidInput({"people_reached": [_("At least one person was reached.")]})
    client_ids = sorted(set(client_ids or []))
    clients = list(casework_selectors.clients_visible_to(user).filter(pk__in=client_ids))
    if len(clients) != len(client_ids):
        raise InvalidInput({"clients": [_("Choose clients you may see.")]})
    visit = FieldVisit(
        programme=programme,
        organisation=organisation,
        consultant=user,
        kind=kind,
        visited_on=visited_on,
        settlement=clean_text(settlement, field="settlement", max_length=100),
        locality=clean_text(locality, field="locality", required=False, max_length=100),
        topic=clean_text(topic, field="topic", max_length=200),
        people_reached=people_reached,
        follow_up=clean_text(follow_up, field="follow_up", required=False),
    )
    save_with_history(visit, user=user, reason="field_visit.log")
    for client in clients:
        link = FieldVisitClient(visit=visit, client=client)
        save_with_history(link, user=user, reason="field_visit.log", validate=False)
    return visit


# -- micro-projects --------------------------------------------------------------------------


def _responsible_of(project_organisation, responsible_id: int | None):
    if responsible_id is None:
        return None
    person = (
        selectors.responsible_candidates(organisation=project_organisation)
        .filter(pk=responsible_id)
        .first()
    )
    if person is None:
        raise InvalidInput(
            {"responsible": [_("Choose a member of the partner organisation's staff.")]}
        )
    return person


def _tell_responsible(project: MicroProject, *, actor, event: Event) -> None:
    """The responsible person learns of every change they did not make themselves."""
    if project.responsible is None or project.responsible_id == actor.pk:
        return
    params = {"project": project.title}
    if event == Event.MICRO_PROJECT_STATUS:
        # The lazy label: notify renders it in the recipient's language.
        params["status"] = MicroProjectStatus(project.status).label
    notify(
        recipient=project.responsible,
        event=event,
        params=params,
        url=project.get_absolute_url(),
    )


@service
def project_propose(
    *,
    user,
    programme_id: int,
    title: str,
    settlement: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    description: str = "",
    budget: Decimal | None = None,
    responsible_id: int | None = None,
) -> MicroProject:
    """A partner organisation proposes a micro-project (the user's organisation)."""
    _require(user, PROPOSE_PROJECT)
    organisation = casework_selectors.organisation_of(user)
    if organisation is None:
        raise NotAllowed()
    programme = _programme_of_user(user, programme_id)
    if starts_on and ends_on and ends_on < starts_on:
        raise InvalidInput({"ends_on": [_("The end cannot be before the start.")]})
    if budget is not None and budget < 0:
        raise InvalidInput({"budget": [_("The budget cannot be negative.")]})
    project = MicroProject(
        programme=programme,
        organisation=organisation,
        title=clean_text(title, field="title", max_length=200),
        description=clean_text(description, field="description", required=False),
        settlement=clean_text(settlement, field="settlement", max_length=100),
        budget=budget,
        starts_on=starts_on,
        ends_on=ends_on,
        responsible=_responsible_of(organisation, responsible_id),
        proposed_by=user,
        status_changed_on=timezone.localdate(),
    )
    _save_project(project, user=user, reason="micro_project.propose")
    _tell_responsible(project, actor=user, event=Event.MICRO_PROJECT_ASSIGNED)
    return project


@service
def project_edit(
    *,
    user,
    project_id: int,
    budget: Decimal | None,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> MicroProject:
    """Budget and period, while the project waits for the decision."""
    project = selectors.project_get(user=user, project_id=project_id, for_update=True)
    _require(user, PROPOSE_PROJECT)
    _refuse_unless(guards.editable(project))
    if ends_on < starts_on:
        raise InvalidInput({"ends_on": [_("The end cannot be before the start.")]})
    if budget is not None and budget < 0:
        raise InvalidInput({"budget": [_("The budget cannot be negative.")]})
    project.budget, project.starts_on, project.ends_on = budget, starts_on, ends_on
    _save_project(project, user=user, reason="micro_project.edit")
    return project


@service
def project_assign_responsible(*, user, project_id: int, responsible_id: int) -> MicroProject:
    project = selectors.project_get(user=user, project_id=project_id, for_update=True)
    if not (user.has_perm(PROPOSE_PROJECT) or user.has_perm(DECIDE_PROJECT)):
        raise NotAllowed()
    if not project.is_open:
        raise GuardFailed(details=[_("The micro-project is no longer open.")])
    person = _responsible_of(project.organisation, responsible_id)
    if person.pk == project.responsible_id:
        return project
    project.responsible = person
    _save_project(project, user=user, reason="micro_project.assign_responsible")
    _tell_responsible(project, actor=user, event=Event.MICRO_PROJECT_ASSIGNED)
    return project


def _save_project(project: MicroProject, *, user, reason: str) -> None:
    """Validated like every save, except the protected status, which full_clean would try to
    set back."""
    try:
        project.full_clean(exclude=["status"])
    except ValidationError as error:
        raise InvalidInput(field_errors(error)) from None
    save_with_history(project, user=user, reason=reason, validate=False)


def _transition(
    project: MicroProject, *, user, method: str, reason: str, note: str | None = None
) -> MicroProject:
    getattr(project, method)()
    project.status_changed_on = timezone.localdate()
    if note is not None:
        project.decision_note = note
    _save_project(project, user=user, reason=reason)
    _tell_responsible(project, actor=user, event=Event.MICRO_PROJECT_STATUS)
    return project


def _can_run(user, project: MicroProject) -> bool:
    return user.has_perm(RUN_PROJECT) or project.responsible_id == user.pk


@service
def project_approve(*, user, project_id: int, note: str = "") -> MicroProject:
    """Approval needs a budget and a responsible person, and someone other than the proposer
    (four eyes, as for development plans)."""
    project = selectors.project_get(user=user, project_id=project_id, for_update=True)
    _require(user, DECIDE_PROJECT)
    if project.proposed_by_id == user.pk:
        raise NotAllowed(_("A micro-project is approved by someone other than its proposer."))
    _refuse_unless(guards.approvable(project))
    note = clean_text(note, field="note", required=False)
    return _transition(
        project, user=user, method="approve", reason="micro_project.approve", note=note
    )


@service
def project_reject(*, user, project_id: int, reason: str) -> MicroProject:
    project = selectors.project_get(user=user, project_id=project_id, for_update=True)
    _require(user, DECIDE_PROJECT)
    _refuse_unless(guards.rejectable(project, reason or ""))
    note = clean_text(reason, field="reason")
    return _transition(
        project, user=user, method="reject", reason="micro_project.reject", note=note
    )


@service
def project_start(*, user, project_id: int) -> MicroProject:
    project = selectors.project_get(user=user, project_id=project_id, for_update=True)
    if not _can_run(user, project):
        raise NotAllowed()
    _refuse_unless(guards.startable(project))
    return _transition(project, user=user, method="start", reason="micro_project.start")


@service
def project_mark_monitored(*, user, project_id: int) -> MicroProject:
    project = selectors.project_get(user=user, project_id=project_id, for_update=True)
    if not _can_run(user, project):
        raise NotAllowed()
    _refuse_unless(guards.monitorable(project))
    return _transition(
        project, user=user, method="mark_monitored", reason="micro_project.monitored"
    )


@service
def project_close(*, user, project_id: int) -> MicroProject:
    """Closing needs the final monitoring visit and every milestone done."""
    project = selectors.project_get(user=user, project_id=project_id, for_update=True)
    _require(user, DECIDE_PROJECT)
    _refuse_unless(guards.closable(project))
    return _transition(project, user=user, method="close", reason="micro_project.close")


@service
def monitoring_visit_record(
    *, user, project_id: int, visited_on: datetime.date, findings: str, is_final: bool = False
) -> MonitoringVisit:
    project = selectors.project_get(user=user, project_id=project_id, for_update=True)
    if not (user.has_perm(RUN_PROJECT) or user.has_perm(DECIDE_PROJECT)):
        raise NotAllowed()
    _refuse_unless(guards.visitable(project))
    not_in_future(visited_on, field="visited_on")
    if visited_on < project.starts_on:
        raise InvalidInput({"visited_on": [_("The visit cannot be before the project starts.")]})
    visit = MonitoringVisit(
        project=project,
        visited_on=visited_on,
        findings=clean_text(findings, field="findings"),
        is_final=bool(is_final),
        visitor=user,
    )
    save_with_history(visit, user=user, reason="micro_project.monitoring_visit")
    return visit


@service
def milestone_add(*, user, project_id: int, title: str, due_on: datetime.date) -> Milestone:
    project = selectors.project_get(user=user, project_id=project_id, for_update=True)
    if not (user.has_perm(PROPOSE_PROJECT) or _can_run(user, project)):
        raise NotAllowed()
    if not project.is_open:
        raise GuardFailed(details=[_("The micro-project is no longer open.")])
    milestone = Milestone(
        project=project, title=clean_text(title, field="title", max_length=200), due_on=due_on
    )
    save_with_history(milestone, user=user, reason="micro_project.milestone_add")
    return milestone


@service
def milestone_done(
    *, user, project_id: int, milestone_id: int, done_on: datetime.date
) -> Milestone:
    project = selectors.project_get(user=user, project_id=project_id, for_update=True)
    if not _can_run(user, project):
        raise NotAllowed()
    _refuse_unless(guards.visitable(project))
    milestone = project.milestones.filter(pk=milestone_id).first()
    if milestone is None:
        raise NotFound()
    not_in_future(done_on, field="done_on")
    milestone.done_on = done_on
    save_with_history(milestone, user=user, reason="micro_project.milestone_done")
    return milestone


# -- partnership meetings and the action plan ------------------------------------------------


def _consortium_organisations(programme) -> dict[int, object]:
    return {organisation.pk: organisation for organisation in programme.organisations.all()}


@service
def meeting_record(
    *,
    user,
    programme_id: int,
    title: str,
    held_on: datetime.date,
    settlement: str,
    decisions: str,
    attendees: list[tuple[str, int | None]],
) -> PartnershipMeeting:
    """A partnership meeting, convened by the user's organisation, with who attended for which
    organisation of the consortium (None: a resident or an invited guest)."""
    _require(user, RECORD_PARTNERSHIP)
    organisation = casework_selectors.organisation_of(user)
    if organisation is None:
        raise NotAllowed()
    programme = _programme_of_user(user, programme_id)
    not_in_future(held_on, field="held_on")
    members = _consortium_organisations(programme)
    cleaned = []
    for name, organisation_id in attendees:
        name = (name or "").strip()
        if not name:
            raise InvalidInput({"attendees": [_("Every attendee needs a name.")]})
        if organisation_id is not None and organisation_id not in members:
            raise InvalidInput(
                {"attendees": [_("Choose organisations of the programme's consortium.")]}
            )
        cleaned.append((name[:200], members.get(organisation_id)))
    if not cleaned:
        raise InvalidInput({"attendees": [_("Add at least one attendee.")]})
    meeting = PartnershipMeeting(
        programme=programme,
        organisation=organisation,
        title=clean_text(title, field="title", max_length=200),
        held_on=held_on,
        settlement=clean_text(settlement, field="settlement", max_length=100),
        decisions=clean_text(decisions, field="decisions", max_length=10000),
        recorded_by=user,
    )
    save_with_history(meeting, user=user, reason="meeting.record")
    for name, member in cleaned:
        row = MeetingAttendee(meeting=meeting, name=name, organisation=member)
        save_with_history(row, user=user, reason="meeting.record", validate=False)
    return meeting


@service
def measure_create(
    *, user, programme_id: int, organisation_id: int, title: str, deadline: datetime.date
) -> Measure:
    """A measure of the action plan, owned by an organisation of the consortium. The owner's
    staff see it; the user's organisation must be the owner or the programme's lead."""
    _require(user, RECORD_PARTNERSHIP)
    own = casework_selectors.organisation_of(user)
    if own is None:
        raise NotAllowed()
    programme = _programme_of_user(user, programme_id)
    owner = _consortium_organisations(programme).get(organisation_id)
    if owner is None:
        raise InvalidInput(
            {"organisation": [_("Choose organisations of the programme's consortium.")]}
        )
    leads = set(
        programme.memberships.filter(role=ConsortiumRole.LEAD).values_list(
            "organisation_id", flat=True
        )
    )
    if owner.pk != own.pk and own.pk not in leads:
        raise InvalidInput(
            {"organisation": [_("Only the partnership's lead records measures of other partners.")]}
        )
    measure = Measure(
        programme=programme,
        organisation=owner,
        title=clean_text(title, field="title", max_length=200),
        deadline=deadline,
    )
    save_with_history(measure, user=user, reason="measure.create")
    return measure


@service
def measure_set_status(
    *, user, measure_id: int, status: str, done_on: datetime.date | None = None
) -> Measure:
    measure = selectors.measure_get(user=user, measure_id=measure_id, for_update=True)
    _require(user, RECORD_PARTNERSHIP)
    if status not in MeasureStatus.values:
        raise InvalidInput({"status": [_("Choose a status.")]})
    if status == MeasureStatus.DONE:
        if done_on is None:
            raise InvalidInput({"done_on": [_("Enter the date the measure was done.")]})
        not_in_future(done_on, field="done_on")
    else:
        done_on = None
    if measure.status == status and measure.done_on == done_on:
        return measure
    measure.status, measure.done_on = status, done_on
    save_with_history(measure, user=user, reason=f"measure.{status}")
    return measure


@service
def measure_link(
    *, user, measure_id: int, micro_project_id: int | None = None, event_id: int | None = None
) -> MeasureLink:
    """Point a measure to a micro-project or an event (visible to the user) that carries it out."""
    measure = selectors.measure_get(user=user, measure_id=measure_id, for_update=True)
    _require(user, RECORD_PARTNERSHIP)
    if (micro_project_id is None) == (event_id is None):
        raise InvalidInput({"__all__": [_("Choose a micro-project or an event.")]})
    link = MeasureLink(measure=measure)
    if micro_project_id is not None:
        project = (
            selectors.projects_visible_to(user)
            .filter(pk=micro_project_id, programme=measure.programme)
            .first()
        )
        if project is None:
            raise InvalidInput({"micro_project": [_("Choose a micro-project of the programme.")]})
        if measure.links.filter(micro_project=project).exists():
            return measure.links.get(micro_project=project)
        link.micro_project = project
    else:
        event = (
            selectors.events_visible_to(user)
            .filter(pk=event_id, programme=measure.programme)
            .first()
        )
        if event is None:
            raise InvalidInput({"event": [_("Choose an event of the programme.")]})
        if measure.links.filter(event=event).exists():
            return measure.links.get(event=event)
        link.event = event
    save_with_history(link, user=user, reason="measure.link", validate=False)
    return link
