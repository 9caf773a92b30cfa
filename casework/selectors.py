"""Every non-trivial read, always scoped to the user (DESIGN.md rule 5).

A record outside the user's scope is indistinguishable from one that does not exist: the
``*_get`` selectors raise ``NotFound`` and views answer 404.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, Lookup, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from kernel.errors import NotFound
from privacy import selectors as privacy_selectors

from . import entry
from .auth import APPROVE_PLAN, TAKE_OVER_WORK, organisation_queue_permission
from .journey import Stage
from .models import (
    Attendance,
    Case,
    Client,
    EntryRecord,
    FollowUp,
    FollowUpStatus,
    Goal,
    Organisation,
    OrganisationKind,
    Programme,
    Referral,
    Session,
)
from .roles import Role, roles_of
from .search import client_name_matches, search_words

User = get_user_model()


def organisation_of(user) -> Organisation | None:
    profile = getattr(user, "staff_profile", None) if user.is_authenticated else None
    return profile.organisation if profile else None


def organisation_id_of(user) -> int | None:
    """The key of the user's organisation, for a filter: no query beyond the user's profile."""
    profile = getattr(user, "staff_profile", None) if user.is_authenticated else None
    return profile.organisation_id if profile else None


def cases_visible_to(user, *, break_glass: bool = True) -> QuerySet[Case]:
    """The cases ``user`` may see: a mentor their assigned cases; a social worker and a supervisor
    the cases of their organisation. A programme admin sees aggregates only, never case files.

    With ``break_glass`` (reading), also the cases the user opened by break-glass in the last
    24 hours (``privacy.BreakGlassGrant``): one more subquery in the same SQL, no query of its
    own. Writes leave it out (``case_get(for_update=True)``): break-glass is for reading."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    roles = roles_of(user)
    scope = Q(pk__in=[])
    if Role.MENTOR in roles:
        scope |= Q(mentor=user)
    if roles & {Role.SOCIAL_WORKER, Role.SUPERVISOR}:
        profile = getattr(user, "staff_profile", None)
        if profile is not None:
            scope |= Q(organisation_id=profile.organisation_id)
    if break_glass and roles & BREAK_GLASS_ROLES:
        grants = privacy_selectors.active_grant_case_ids(user)
        if connection.vendor == "postgresql":
            # ``IN (subquery)`` beside an OR is a filter PostgreSQL checks on every row: the
            # whole case table was read for every scoped list (1.3 s for the supervisor's home
            # page at 100,000 cases). ``= ANY(ARRAY(subquery))`` is the grants read once and
            # an index lookup of the case ids, ORed with the organisation's index range.
            scope |= Q(AnyOfSubquery(F("pk"), Subquery(grants)))
        else:
            scope |= Q(pk__in=grants)
    return Case.objects.filter(scope)


class AnyOfSubquery(Lookup):
    """``lhs = ANY(ARRAY(subquery))`` (PostgreSQL): the subquery runs once, and the comparison
    can use an index."""

    lookup_name = "any_of_subquery"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]


def in_own_scope(user, case: Case) -> bool:
    """Whether ``case`` is in ``user``'s own scope (``cases_visible_to`` without break-glass), from
    the rows already loaded: a case opened by break-glass is shown, never worked on."""
    roles = roles_of(user)
    if Role.MENTOR in roles and case.mentor_id == user.pk:
        return True
    if roles & {Role.SOCIAL_WORKER, Role.SUPERVISOR}:
        profile = getattr(user, "staff_profile", None)
        return profile is not None and case.organisation_id == profile.organisation_id
    return False


# Who may break glass: staff whose work can need a file of a partner organisation's client in
# an emergency (a social worker or supervisor covering for a colleague of the consortium).
# Not mentors: they work on the cases assigned to them, and a case they need is assigned by a
# social worker; not programme admins: they see aggregates, never client files (DESIGN.md 5).
BREAK_GLASS_ROLES = frozenset({Role.SOCIAL_WORKER, Role.SUPERVISOR})


def case_for_break_glass(*, user, number: str) -> Case:
    """The case numbered ``number`` that ``user`` may open by break-glass: a case of a programme
    the user's organisation takes part in, outside the user's own scope. ``NotFound`` otherwise,
    the same whether the number exists or not."""
    if not (roles_of(user) & BREAK_GLASS_ROLES) or not user.has_perm("privacy.break_glass"):
        raise NotFound()
    try:
        return (
            Case.objects.filter(
                number=(number or "").strip(), programme__in=programmes_for(user=user)
            )
            .exclude(pk__in=cases_visible_to(user, break_glass=False).values("pk"))
            .select_related("programme", "organisation")
            .get()
        )
    except (Case.DoesNotExist, Case.MultipleObjectsReturned):
        raise NotFound() from None


def supervisors_of(*, organisation_id: int) -> QuerySet:
    """The active supervisors of an organisation."""
    return User.objects.filter(
        is_active=True,
        groups__name=Role.SUPERVISOR,
        staff_profile__organisation_id=organisation_id,
    ).select_related("staff_profile")


def clients_visible_to(user, *, break_glass: bool = True) -> QuerySet[Client]:
    """Clients of the user's visible cases; social workers also see clients of their organisation
    who have no case yet (registered, intake not opened). Writes pass ``break_glass=False``."""
    visible = Q(cases__in=cases_visible_to(user, break_glass=break_glass))
    if Role.SOCIAL_WORKER in roles_of(user) or Role.SUPERVISOR in roles_of(user):
        organisation = organisation_of(user)
        if organisation is not None:
            visible |= Q(organisation=organisation)
    return Client.objects.filter(visible).distinct()


def case_get(*, user, case_id: int, for_update: bool = False) -> Case:
    # The staff profiles give the language of the notifications a service sends them; the plan,
    # screening and placement are what the stage guards and the case page read.
    queryset = cases_visible_to(user, break_glass=not for_update).select_related(
        "client",
        "programme",
        "organisation",
        "social_worker__staff_profile",
        "mentor__staff_profile",
        "plan",
        "screening",
        "placement",
    )
    if for_update:
        # of=("self",) locks only the case row, not the joined rows (PostgreSQL).
        queryset = queryset.select_for_update(of=("self",)).annotate(
            processing_frozen=privacy_selectors.processing_frozen()
        )
    try:
        return queryset.get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def client_get(*, user, client_id: int, break_glass: bool = True) -> Client:
    try:
        return clients_visible_to(user, break_glass=break_glass).get(pk=client_id)
    except (Client.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def case_list(
    *,
    user,
    stage: str = "",
    mentor_id: int | None = None,
    search: str = "",
    programme_id: int | None = None,
) -> QuerySet[Case]:
    """The case list: one query for the page, whatever the number of cases."""
    cases = cases_visible_to(user).select_related("client", "programme", "mentor")
    if stage:
        cases = cases.filter(stage=stage)
    if mentor_id:
        cases = cases.filter(mentor_id=mentor_id)
    if programme_id:
        cases = cases.filter(programme_id=programme_id)
    words = search_words(search)
    if words:
        # The names on the client row the page joins anyway, so the scope's cases are read
        # once and their clients by key; a case number matches anywhere in it (staff type its
        # sequence part).
        cases = cases.filter(
            client_name_matches(words, prefix="client__") | Q(number__icontains=search.strip())
        )
    return cases.order_by("-stage_changed_at", "-id")


def find_clients(clients: QuerySet[Client], query: str) -> QuerySet[Client]:
    """``clients`` narrowed to those whose names begin with the query's words (accents and
    case aside): "kovacs" finds Kovács, "szabo" finds Szabóová."""
    words = search_words(query)
    return clients.filter(client_name_matches(words)) if words else clients


def case_detail(*, user, case_id: int) -> Case:
    """A case with everything its page shows, in a fixed number of queries (the case and its
    joined rows in one, then one per list on the page)."""
    try:
        return (
            cases_visible_to(user)
            .select_related(
                "client",
                "programme",
                "organisation",
                "social_worker",
                "mentor",
                "plan__author",
                "plan__approved_by",
                "screening__referred_to",
                "placement",
            )
            .prefetch_related(
                Prefetch("plan__goals", queryset=Goal.objects.order_by("id")),
                Prefetch(
                    "attendance",
                    queryset=Attendance.objects.select_related("session").order_by(
                        "-session__held_on", "-id"
                    ),
                ),
                Prefetch("follow_ups", queryset=FollowUp.objects.order_by("due_on")),
                Prefetch("referrals", queryset=Referral.objects.select_related("partner")),
            )
            .get(pk=case_id)
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def stage_counts(*, user) -> list[tuple]:
    """``(label, stage, count)`` of the user's visible cases, in journey order."""
    counts = dict(cases_visible_to(user).values_list("stage").annotate(n=Count("id")).order_by())
    order = [*Stage.journey()[:-1], Stage.SUSPENDED, Stage.CLOSED]
    return [(Stage(stage).label, stage, counts[stage]) for stage in order if stage in counts]


def cases_in_stage(*, user, stage: str, limit: int = 20) -> list[Case]:
    """The first ``limit`` of the user's cases waiting in ``stage`` (intake, suspended...)."""
    return list(
        cases_visible_to(user).filter(stage=stage).select_related("client", "mentor")[:limit]
    )


def overdue_follow_ups(*, user, limit: int = 20) -> list[FollowUp]:
    """The user's pending follow-ups past their due date, oldest first."""
    # Start from the user's follow-up-stage cases, not from every overdue follow-up of the
    # programme (BENCHMARKS.md, P2 finding 3).
    return list(
        FollowUp.objects.filter(
            case__in=cases_visible_to(user).filter(stage=Stage.FOLLOW_UP),
            status=FollowUpStatus.PENDING,
            due_on__lt=timezone.localdate(),
        )
        .select_related("case__client", "case__mentor")
        .order_by("due_on", "id")[:limit]
    )


def mentors_for(*, organisation: Organisation | int) -> QuerySet:
    """Active mentors who may be assigned to a case of ``organisation`` (a row or its key)."""
    return User.objects.filter(
        is_active=True,
        groups__name=Role.MENTOR,
        staff_profile__organisation=organisation,
    ).order_by("last_name", "first_name", "username")


def partner_offices_for(*, programme: Programme) -> QuerySet[Organisation]:
    return programme.organisations.filter(
        kind__in=[
            OrganisationKind.LABOUR_OFFICE,
            OrganisationKind.HEALTH_OFFICE,
            OrganisationKind.OTHER,
        ]
    ).order_by("name")


def programmes_for(*, user) -> QuerySet[Programme]:
    """Programmes the user's organisation takes part in."""
    organisation_id = organisation_id_of(user)
    if organisation_id is None:
        return Programme.objects.none()
    return Programme.objects.filter(organisations=organisation_id).order_by("name")


def sessions_of_case(*, user, case_id: int) -> QuerySet[Session]:
    case = case_get(user=user, case_id=case_id)
    return Session.objects.filter(attendance__case=case).order_by("-held_on")


def programme_stage_counts(*, user) -> list[dict]:
    """Aggregates for a programme admin: cases per programme and stage, no personal data."""
    programmes = programmes_for(user=user)
    counts = (
        Case.objects.filter(programme__in=programmes)
        .values("programme_id", "stage")
        .annotate(n=Count("id"))
    )
    by_programme: dict[int, dict[str, int]] = {}
    for row in counts:
        by_programme.setdefault(row["programme_id"], {})[row["stage"]] = row["n"]
    return [
        {
            "programme": programme,
            "stages": [
                (Stage(stage).label, by_programme.get(programme.pk, {}).get(stage, 0))
                for stage in [*programme.stages, Stage.SUSPENDED]
            ],
            "total": sum(by_programme.get(programme.pk, {}).values()),
        }
        for programme in programmes
    ]


def users_with_queue_permission(permission: str, *, case: Case) -> QuerySet:
    """Staff of the case's organisation who may claim a pooled task carrying ``permission``."""
    queues = {
        organisation_queue_permission(queue, case.organisation_id)
        for queue in (APPROVE_PLAN, TAKE_OVER_WORK)
    }
    if permission not in queues:
        return User.objects.none()
    return (
        User.objects.filter(
            is_active=True,
            groups__name=Role.SUPERVISOR,
            staff_profile__organisation_id=case.organisation_id,
        )
        .select_related("staff_profile")
        .distinct()
    )


def entry_record_of(case: Case) -> tuple[EntryRecord | None, list[str]]:
    """The client's ESF+ entry record in the case's programme (``case`` is already in the
    user's scope) and what it still lacks; before the client is a participant, what the record
    would lack if it were taken from the client's data today."""
    record = EntryRecord.objects.filter(
        client_id=case.client_id, programme_id=case.programme_id
    ).first()
    return record, (record or entry.preview(case)).missing()


def client_register_list(*, user, search: str = "") -> QuerySet[Client]:
    """The clients the user sees, by name, each with the cases the user may open: the page
    where a client taken in before (an imported register, a registration without intake) gets
    a case. Two queries for a page whatever its size: the clients, and their visible cases."""
    visible_cases = cases_visible_to(user).select_related("programme").order_by("-opened_on")
    clients = find_clients(clients_visible_to(user), search).select_related("organisation")
    return clients.prefetch_related(
        Prefetch("cases", queryset=visible_cases, to_attr="visible_cases")
    ).order_by("family_key", "given_key", "pk")
