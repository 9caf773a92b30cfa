from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import ngettext

from casework.selectors import (
    cases_visible_to,
    clients_visible_to,
    organisation_id_of,
    organisation_of,
)
from kernel.errors import NotFound

from .models import (
    CommunityEvent,
    EventAttendee,
    FieldVisit,
    FieldVisitClient,
    Measure,
    MeasureLink,
    MeetingAttendee,
    MicroProject,
    MonitoringVisit,
    PartnershipMeeting,
)

User = get_user_model()


def events_visible_to(user) -> QuerySet[CommunityEvent]:
    """Staff see the events of their own organisation."""
    organisation_id = organisation_id_of(user)
    if organisation_id is None or not user.has_perm("casework.view_case"):
        return CommunityEvent.objects.none()
    return CommunityEvent.objects.filter(organisation_id=organisation_id)


def event_list(*, user) -> QuerySet[CommunityEvent]:
    return (
        events_visible_to(user)
        .select_related("programme")
        .annotate(
            clients=Count("attendees", filter=Q(attendees__client__isnull=False)),
            guests=Count("attendees", filter=Q(attendees__client__isnull=True)),
        )
        .order_by("-held_on", "-id")
    )


def event_get(*, user, event_id: int, for_update: bool = False) -> CommunityEvent:
    events = events_visible_to(user)
    if for_update:
        events = events.select_for_update()
    try:
        return events.get(pk=event_id)
    except (CommunityEvent.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def event_detail(*, user, event_id: int) -> CommunityEvent:
    event = event_get(user=user, event_id=event_id)
    return (
        CommunityEvent.objects.select_related("programme", "organiser")
        .prefetch_related(
            Prefetch("attendees", queryset=EventAttendee.objects.select_related("client"))
        )
        .get(pk=event.pk)
    )


def events_of_client(*, user, client_id: int) -> QuerySet[CommunityEvent]:
    """The events a client attended, as far as the user may see them (both the client and the
    event: one statement, the client's scope a subquery of it)."""
    client = clients_visible_to(user).filter(pk=client_id).values("pk")
    return events_visible_to(user).filter(attendees__client__in=client).order_by("-held_on")


# --------------------------------------------------------------------------------------------
# Community work: field visits, micro-projects, partnership meetings, action-plan measures.
# An organisation's staff (with the community-work permission) see their organisation's
# records; anyone else, programme admins included, sees none of them (admins see the counts in
# the indicators). Out of scope looks like "no such record".
# --------------------------------------------------------------------------------------------

VIEW_WORK = "community.view_community_work"


def _work_organisation(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not user.has_perm(VIEW_WORK):
        return None
    return organisation_of(user)


def visits_visible_to(user) -> QuerySet[FieldVisit]:
    organisation = _work_organisation(user)
    if organisation is None:
        return FieldVisit.objects.none()
    return FieldVisit.objects.filter(organisation=organisation)


def visit_list(*, user, consultant_id: int | None = None, community: str = "") -> QuerySet:
    visits = visits_visible_to(user).select_related("consultant", "programme")
    if consultant_id:
        visits = visits.filter(consultant_id=consultant_id)
    if community:
        settlement, _sep, locality = community.partition(" – ")
        visits = visits.filter(settlement=settlement, locality=locality)
    return visits.order_by("-visited_on", "-id")


def visit_get(*, user, visit_id: int) -> FieldVisit:
    try:
        return (
            visits_visible_to(user)
            .select_related("consultant", "programme")
            .prefetch_related(
                Prefetch(
                    "client_links",
                    queryset=FieldVisitClient.objects.select_related("client").order_by("id"),
                )
            )
            .get(pk=visit_id)
        )
    except (FieldVisit.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def cases_of_visit(*, user, visit: FieldVisit) -> dict[int, list]:
    """The cases (visible to ``user``) of the clients a visit concerned, per client id."""
    client_ids = [link.client_id for link in visit.client_links.all()]
    cases: dict[int, list] = {}
    for case in cases_visible_to(user).filter(client_id__in=client_ids).order_by("number"):
        cases.setdefault(case.client_id, []).append(case)
    return cases


def field_work_by_month(*, user, by: str = "community") -> list[dict]:
    """The log in figures for a supervisor: per month and community (or consultant), the
    visits and the people reached, in one query."""
    if not user.has_perm("community.review_field_work"):
        return []
    keys = (
        ["settlement", "locality"]
        if by == "community"
        else ["consultant_id", "consultant__first_name", "consultant__last_name"]
    )
    rows = (
        visits_visible_to(user)
        .annotate(month=TruncMonth("visited_on"))
        .values("month", *keys)
        .annotate(visits=Count("id"), people=Sum("people_reached"))
        .order_by("-month", *keys)
    )
    result = []
    for row in rows:
        if by == "community":
            label = (
                f"{row['settlement']} – {row['locality']}" if row["locality"] else row["settlement"]
            )
            key = label
        else:
            label = f"{row['consultant__last_name']} {row['consultant__first_name']}".strip()
            key = row["consultant_id"]
        result.append(
            {
                "month": row["month"],
                "label": label,
                "key": key,
                "visits": row["visits"],
                "people": row["people"],
            }
        )
    return result


def projects_visible_to(user) -> QuerySet[MicroProject]:
    """The organisation's projects, and those the user is responsible for whatever their role
    (a mentor can be the responsible person of a partner's project)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return MicroProject.objects.none()
    scope = Q(responsible=user)
    organisation = _work_organisation(user)
    if organisation is not None:
        scope |= Q(organisation=organisation)
    return MicroProject.objects.filter(scope)


def project_list(*, user, status: str = "") -> QuerySet[MicroProject]:
    projects = projects_visible_to(user).select_related("programme", "responsible")
    if status:
        projects = projects.filter(status=status)
    return projects.order_by("-starts_on", "-id")


def project_get(*, user, project_id: int, for_update: bool = False) -> MicroProject:
    projects = projects_visible_to(user).select_related(
        "programme", "organisation", "responsible__staff_profile", "proposed_by"
    )
    if for_update:
        projects = projects.select_for_update(of=("self",))
    try:
        return projects.get(pk=project_id)
    except (MicroProject.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def project_detail(*, user, project_id: int) -> MicroProject:
    project = project_get(user=user, project_id=project_id)
    return (
        MicroProject.objects.select_related(
            "programme", "organisation", "responsible", "proposed_by"
        )
        .prefetch_related(
            "milestones",
            Prefetch(
                "monitoring_visits",
                queryset=MonitoringVisit.objects.select_related("visitor"),
            ),
            Prefetch("measure_links", queryset=MeasureLink.objects.select_related("measure")),
        )
        .get(pk=project.pk)
    )


def responsible_candidates(*, organisation) -> QuerySet:
    """Active staff of the partner organisation who may be made responsible for a project."""
    return User.objects.filter(is_active=True, staff_profile__organisation=organisation).order_by(
        "last_name", "first_name", "username"
    )


def meetings_visible_to(user) -> QuerySet[PartnershipMeeting]:
    """The meetings the organisation convened or attended."""
    organisation = _work_organisation(user)
    if organisation is None:
        return PartnershipMeeting.objects.none()
    attended = MeetingAttendee.objects.filter(meeting=OuterRef("pk"), organisation=organisation)
    return PartnershipMeeting.objects.filter(Q(organisation=organisation) | Exists(attended))


def meeting_list(*, user) -> QuerySet[PartnershipMeeting]:
    return (
        meetings_visible_to(user)
        .select_related("organisation")
        .annotate(people=Count("attendees"))
        .order_by("-held_on", "-id")
    )


def meeting_get(*, user, meeting_id: int) -> PartnershipMeeting:
    try:
        return (
            meetings_visible_to(user)
            .select_related("organisation", "programme", "recorded_by")
            .prefetch_related(
                Prefetch(
                    "attendees", queryset=MeetingAttendee.objects.select_related("organisation")
                )
            )
            .get(pk=meeting_id)
        )
    except (PartnershipMeeting.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def measures_visible_to(user) -> QuerySet[Measure]:
    organisation = _work_organisation(user)
    if organisation is None:
        return Measure.objects.none()
    return Measure.objects.filter(organisation=organisation)


def measure_list(*, user) -> QuerySet[Measure]:
    return (
        measures_visible_to(user)
        .select_related("organisation", "programme")
        .annotate(carried_by=Count("links"))
        .order_by("deadline", "id")
    )


def measure_get(*, user, measure_id: int, for_update: bool = False) -> Measure:
    measures = measures_visible_to(user).select_related("organisation", "programme")
    if for_update:
        measures = measures.select_for_update(of=("self",))
    try:
        return measures.get(pk=measure_id)
    except (Measure.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def measure_detail(*, user, measure_id: int) -> Measure:
    measure = measure_get(user=user, measure_id=measure_id)
    return (
        Measure.objects.select_related("organisation", "programme")
        .prefetch_related(
            Prefetch("links", queryset=MeasureLink.objects.select_related("micro_project", "event"))
        )
        .get(pk=measure.pk)
    )


def records_naming(question) -> list[str]:
    """The in-use check of ``casework.setup`` (registered in ``apps.py``): a partner or a
    location of the programme that its community records name stays (the records would lose
    their place in the programme's reports). Action-plan measures name an owner, no place."""
    if question.organisation is not None:
        models = (CommunityEvent, FieldVisit, MicroProject, PartnershipMeeting, Measure)
        naming = {"organisation": question.organisation}
    else:
        models = (CommunityEvent, FieldVisit, MicroProject, PartnershipMeeting)
        naming = {"settlement__iexact": question.settlement}
    total = sum(
        model.objects.filter(programme=question.programme, **naming).count() for model in models
    )
    if not total:
        return []
    return [
        ngettext(
            "%(count)d community record of the programme (an event, field visit,"
            " micro-project, meeting or measure) names it.",
            "%(count)d community records of the programme (events, field visits,"
            " micro-projects, meetings or measures) name it.",
            total,
        )
        % {"count": total}
    ]
