"""Programme set-up by its programme admins (issue 13): the programme's settings, its partner
organisations and the locations it serves. Every change is a service (DESIGN.md rules 1-4):
one transaction, the programme row locked, validation that names each field and writes nothing
when it refuses, and a history row with the acting user and a ``programme.*`` reason.

Who: a programme admin whose organisation is a member of the programme's consortium. Any
programme admin may create a programme; their organisation becomes its consortium lead, so
they see it from then on (``selectors.programmes_for``). Other roles are refused
(``NotAllowed``); a programme admin of an organisation outside the consortium is answered as
for a programme that is not there (``NotFound``).

Other apps hold records about a programme's partners and locations that casework cannot see
without importing them (reporting's targets name a partner and a location; community records
name both too), and they sit above casework in the layers. They register an *in-use check* here
(``register_in_use_check``, from their ``AppConfig.ready``), which the removing services ask
inside their transaction: a partner or location something still refers to stays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Length
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kernel.choices import Stage
from kernel.errors import InvalidInput, NotAllowed, NotFound
from kernel.services import delete_with_history, field_errors, save_with_history, service

from .models import (
    Case,
    ConsortiumMembership,
    ConsortiumRole,
    Organisation,
    Programme,
    ProgrammeLocation,
    Settlement,
)
from .roles import Role, roles_of
from .selectors import organisation_of, programmes_for

# The settings a programme admin edits, in the order of the settings page.
PROGRAMME_FIELDS = (
    "name",
    "funder_code",
    "country",
    "starts_on",
    "ends_on",
    "uses_training",
    "uses_screening",
    "uses_placement",
    "uses_follow_up",
    "attendance_threshold",
    "planned_sessions",
    "first_follow_up_days",
    "second_follow_up_days",
    "participant_rule",
    "retention_years",
)

# The stages a programme may leave out, each with the setting that says so.
OPTIONAL_STAGES = {
    "uses_training": Stage.TRAINING,
    "uses_screening": Stage.SCREENING,
    "uses_placement": Stage.PLACEMENT,
    "uses_follow_up": Stage.FOLLOW_UP,
}

# Funders keep a right to audit for a number of years after a programme's end (ESF: 5 to 10,
# national rules up to 25); more than this is a typing error, and 0 would allow erasing a
# client's file the day the programme ends.
RETENTION_YEARS_MIN = 1
RETENTION_YEARS_MAX = 30


# --------------------------------------------------------------------------------------------
# In-use checks of the layers above (reporting's targets, community's records)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InUse:
    """What a removal asks of the other apps: is ``organisation`` (a partner being removed) or
    ``settlement`` (the name of a location being removed) still named by a record of the
    programme? Exactly one of the two is set."""

    programme: Programme
    organisation: Organisation | None = None
    settlement: str | None = None


InUseCheck = Callable[[InUse], list[str]]
_in_use_checks: list[InUseCheck] = []


def register_in_use_check(check: InUseCheck) -> None:
    """Register ``check``: called with an ``InUse``, it answers a translated sentence for each
    kind of record that still names the partner or location (empty: none does)."""
    if check not in _in_use_checks:
        _in_use_checks.append(check)


def _in_use_elsewhere(question: InUse) -> list[str]:
    return [message for check in _in_use_checks for message in check(question)]


# --------------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------------


def is_programme_admin(user) -> bool:
    return getattr(user, "is_authenticated", False) and Role.PROGRAMME_ADMIN in roles_of(user)


def programmes_managed(*, user) -> QuerySet[Programme]:
    """The programmes ``user`` sets up: those of their organisation's consortia, for a
    programme admin; none for anyone else."""
    if not is_programme_admin(user) or not user.is_active:
        return Programme.objects.none()
    return programmes_for(user=user)


def _count_of(model, **outer) -> Subquery:
    """The number of ``model`` rows of the outer programme, as a scalar subquery: joining the
    three relations and counting distinct ids would multiply a programme's cases by its
    partners and locations before counting."""
    rows = (
        model.objects.filter(programme=OuterRef("pk"), **outer)
        .order_by()
        .values("programme")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def programme_list(*, user) -> list[Programme]:
    """The set-up list: each programme with its numbers of partners, locations and cases, in
    one query."""
    return list(
        programmes_managed(user=user).annotate(
            partner_count=_count_of(ConsortiumMembership),
            location_count=_count_of(ProgrammeLocation),
            case_count=_count_of(Case),
        )
    )


def programme_get(*, user, programme_id: int) -> Programme:
    programme = programmes_managed(user=user).filter(pk=programme_id).first()
    if programme is None:
        raise NotFound()
    return programme


def partners_of(*, user, programme_id: int) -> list[ConsortiumMembership]:
    programme = programme_get(user=user, programme_id=programme_id)
    return list(
        programme.memberships.select_related("organisation").order_by("role", "organisation__name")
    )


def locations_of(*, user, programme_id: int) -> list[ProgrammeLocation]:
    programme = programme_get(user=user, programme_id=programme_id)
    return list(programme.locations.select_related("settlement").order_by("settlement__name"))


def cases_per_stage(programme: Programme) -> dict[str, int]:
    """How many cases are in, or may come back to, each stage the programme could drop: the
    cases in it, suspended from it (resuming goes back there) and closed from it (a supervisor
    may reopen any closed case, and it goes back to the stage it left)."""
    counts = {}
    for stage in OPTIONAL_STAGES.values():
        counts[stage] = Case.objects.filter(
            Q(stage=stage)
            | Q(stage=Stage.SUSPENDED, suspended_from=stage)
            | Q(stage=Stage.CLOSED, closed_from=stage),
            programme=programme,
        ).count()
    return counts


# --------------------------------------------------------------------------------------------
# Checks shared by the services
# --------------------------------------------------------------------------------------------


def _require_admin(user) -> None:
    if not is_programme_admin(user) or not user.is_active:
        raise NotAllowed(_("Only a programme admin sets up programmes."))


def _programme_for_update(*, user, programme_id: int) -> Programme:
    _require_admin(user)
    if not programmes_managed(user=user).filter(pk=programme_id).exists():
        raise NotFound()
    # Locked like case_open locks it: a case cannot open while the settings change under it.
    return Programme.objects.select_for_update().get(pk=programme_id)


def _checked(programme: Programme, *, before: Programme | None) -> None:
    """Validate ``programme`` as it would be saved (``before``: as it is now, for an update).
    Raises ``InvalidInput`` naming every field that is wrong; writes nothing."""
    errors: dict[str, list[str]] = {}
    try:
        # Uniqueness and the table's check constraints are asked below, in words a programme
        # admin understands (the constraint's own message names the constraint).
        programme.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = field_errors(error)

    def ok(*names: str) -> bool:
        return not any(name in errors for name in names)

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if ok("funder_code"):
        programme.funder_code = programme.funder_code.strip()
        taken = Programme.objects.filter(funder_code__iexact=programme.funder_code)
        if before is not None:
            taken = taken.exclude(pk=before.pk)
        if taken.exists():
            add("funder_code", _("Another programme has this funder code."))
    if ok("starts_on", "ends_on") and programme.ends_on < programme.starts_on:
        add("ends_on", _("The end of the period cannot be before its start."))
    if ok("planned_sessions") and programme.planned_sessions < 1:
        add("planned_sessions", _("Plan at least one session."))
    if (
        ok("attendance_threshold", "planned_sessions")
        and programme.attendance_threshold > programme.planned_sessions
    ):
        add(
            "attendance_threshold",
            _("The sessions to attend cannot be more than the sessions planned (%(planned)d).")
            % {"planned": programme.planned_sessions},
        )
    if ok("first_follow_up_days") and programme.first_follow_up_days < 1:
        add("first_follow_up_days", _("The first follow-up comes at least a day after exit."))
    if (
        ok("first_follow_up_days", "second_follow_up_days")
        and programme.second_follow_up_days <= programme.first_follow_up_days
    ):
        add("second_follow_up_days", _("The second follow-up must come after the first."))
    if ok("retention_years") and not (
        RETENTION_YEARS_MIN <= programme.retention_years <= RETENTION_YEARS_MAX
    ):
        add(
            "retention_years",
            ngettext(
                "The retention is between %(low)d and %(high)d year.",
                "The retention is between %(low)d and %(high)d years.",
                RETENTION_YEARS_MAX,
            )
            % {"low": RETENTION_YEARS_MIN, "high": RETENTION_YEARS_MAX},
        )
    if before is not None:
        _check_against_records(programme, before=before, ok=ok, add=add)
    if errors:
        raise InvalidInput(errors)


def _check_against_records(programme: Programme, *, before: Programme, ok, add) -> None:
    """What the programme's cases and locations hold the settings to."""
    cases = Case.objects.filter(programme=before)
    dropped = [
        (field, stage)
        for field, stage in OPTIONAL_STAGES.items()
        if getattr(before, field) and not getattr(programme, field)
    ]
    if dropped:
        counts = cases_per_stage(before)
        for field, stage in dropped:
            if counts[stage]:
                add(
                    field,
                    ngettext(
                        "The programme cannot drop the stage “%(stage)s”: %(count)d case is in"
                        " it or may return to it (suspended or closed from it).",
                        "The programme cannot drop the stage “%(stage)s”: %(count)d cases are in"
                        " it or may return to it (suspended or closed from it).",
                        counts[stage],
                    )
                    % {"stage": Stage(stage).label, "count": counts[stage]},
                )
    if ok("starts_on", "ends_on") and (
        programme.starts_on != before.starts_on or programme.ends_on != before.ends_on
    ):
        first_opened = cases.order_by("opened_on").values_list("opened_on", flat=True).first()
        last_opened = cases.order_by("-opened_on").values_list("opened_on", flat=True).first()
        if first_opened is not None and programme.starts_on > first_opened:
            add(
                "starts_on",
                _("A case of the programme opened on %(day)s: the period cannot start later.")
                % {"day": first_opened.isoformat()},
            )
        if last_opened is not None and programme.ends_on < last_opened:
            add(
                "ends_on",
                _("A case of the programme opened on %(day)s: the period cannot end before it.")
                % {"day": last_opened.isoformat()},
            )
    if ok("funder_code") and programme.funder_code != before.funder_code:
        count = cases.count()
        if count:
            add(
                "funder_code",
                ngettext(
                    "The funder code is part of the number of %(count)d case already opened;"
                    " it cannot change.",
                    "The funder code is part of the numbers of %(count)d cases already opened;"
                    " it cannot change.",
                    count,
                )
                % {"count": count},
            )
    if ok("country") and programme.country != before.country and before.locations.exists():
        add(
            "country",
            _("Remove the programme's locations before changing its country: they are in %(c)s.")
            % {"c": before.get_country_display()},
        )


def _apply(programme: Programme, data: dict) -> None:
    unknown = sorted(set(data) - set(PROGRAMME_FIELDS))
    if unknown:
        raise InvalidInput(
            {"__all__": [_("Unknown settings: %(names)s.") % {"names": ", ".join(unknown)}]}
        )
    for name, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(programme, name, value)


# --------------------------------------------------------------------------------------------
# Programme
# --------------------------------------------------------------------------------------------


@service
def programme_create(*, user, data: dict, reason: str = "programme.create") -> Programme:
    """A new programme from ``data`` (the keys of ``PROGRAMME_FIELDS``; a missing optional one
    takes the model's default), with the user's organisation as its consortium lead. ``reason``
    lets a caller say more on the programme's own history row (which template it came from)."""
    _require_admin(user)
    organisation = organisation_of(user)
    if organisation is None:
        raise NotAllowed(_("Your account belongs to no organisation."))
    programme = Programme()
    _apply(programme, data)
    _checked(programme, before=None)
    save_with_history(programme, user=user, reason=reason, validate=False)
    membership = ConsortiumMembership(
        programme=programme, organisation=organisation, role=ConsortiumRole.LEAD
    )
    save_with_history(membership, user=user, reason="programme.create", validate=False)
    return programme


@service
def programme_update(*, user, programme_id: int, data: dict) -> Programme:
    """Change the settings named in ``data`` (the others stay)."""
    programme = _programme_for_update(user=user, programme_id=programme_id)
    before = Programme.objects.get(pk=programme.pk)
    _apply(programme, data)
    _checked(programme, before=before)
    changed = [
        name for name in PROGRAMME_FIELDS if getattr(programme, name) != getattr(before, name)
    ]
    if changed:
        save_with_history(programme, user=user, reason="programme.update", validate=False)
    return programme


# --------------------------------------------------------------------------------------------
# Partners
# --------------------------------------------------------------------------------------------


def _check_role(role: str) -> None:
    if role not in ConsortiumRole.values:
        raise InvalidInput({"role": [_("Choose a role in the consortium.")]})


def _new_organisation(data: dict, *, user) -> Organisation:
    name = (data.get("name") or "").strip()
    organisation = Organisation(
        name=name,
        kind=(data.get("kind") or "").strip(),
        settlement=(data.get("settlement") or "").strip(),
    )
    errors: dict[str, list[str]] = {}
    try:
        organisation.full_clean(exclude=["programmes"], validate_unique=False)
    except ValidationError as error:
        errors = field_errors(error)
    if name and Organisation.objects.filter(name__iexact=name).exists():
        errors.setdefault("name", []).append(
            _("An organisation with this name exists already: choose it from the list.")
        )
    if errors:
        raise InvalidInput(errors)
    save_with_history(organisation, user=user, reason="programme.partner_add", validate=False)
    return organisation


@service
def partner_add(
    *,
    user,
    programme_id: int,
    role: str,
    organisation_id: int | None = None,
    organisation: dict | None = None,
) -> ConsortiumMembership:
    """Add an existing organisation (``organisation_id``) or a new one (``organisation``:
    ``name``, ``kind``, ``settlement``) to the programme's consortium in ``role``."""
    programme = _programme_for_update(user=user, programme_id=programme_id)
    _check_role(role)
    if (organisation_id is None) == (organisation is None):
        raise InvalidInput(
            {"organisation": [_("Choose an organisation, or describe a new one (not both).")]}
        )
    if organisation_id is not None:
        member = Organisation.objects.filter(pk=organisation_id).first()
        if member is None:
            raise InvalidInput({"organisation": [_("Choose an organisation from the list.")]})
        if programme.memberships.filter(organisation=member).exists():
            raise InvalidInput(
                {"organisation": [_("This organisation is a partner of the programme already.")]}
            )
    else:
        member = _new_organisation(organisation, user=user)
    membership = ConsortiumMembership(programme=programme, organisation=member, role=role)
    save_with_history(membership, user=user, reason="programme.partner_add", validate=False)
    return membership


def _programme_row_for_update(model, *, user, pk: int, related: tuple[str, ...]):
    """A row of a programme the admin manages (a membership, a location), read after the
    programme's row is locked, so that removals and changes of one programme queue behind
    each other; a row of any other programme is answered as one that is not there."""
    _require_admin(user)
    programme_id = (
        model.objects.filter(pk=pk, programme__in=programmes_managed(user=user))
        .values_list("programme_id", flat=True)
        .first()
    )
    if programme_id is None:
        raise NotFound()
    _programme_for_update(user=user, programme_id=programme_id)
    return model.objects.select_related(*related).get(pk=pk)


def _membership_for_update(*, user, membership_id: int) -> ConsortiumMembership:
    return _programme_row_for_update(
        ConsortiumMembership, user=user, pk=membership_id, related=("organisation", "programme")
    )


def _other_leads(membership: ConsortiumMembership) -> bool:
    return (
        ConsortiumMembership.objects.filter(
            programme_id=membership.programme_id, role=ConsortiumRole.LEAD
        )
        .exclude(pk=membership.pk)
        .exists()
    )


@service
def partner_set_role(*, user, membership_id: int, role: str) -> ConsortiumMembership:
    membership = _membership_for_update(user=user, membership_id=membership_id)
    _check_role(role)
    if role == membership.role:
        return membership
    if membership.role == ConsortiumRole.LEAD and not _other_leads(membership):
        raise InvalidInput(
            {"role": [_("The consortium needs a lead: make another partner the lead first.")]}
        )
    membership.role = role
    save_with_history(membership, user=user, reason="programme.partner_role", validate=False)
    return membership


def partner_uses(membership: ConsortiumMembership) -> list[str]:
    """Why the partner cannot leave the programme: each kind of record that still names it."""
    programme, organisation = membership.programme, membership.organisation
    reasons = []
    cases = Case.objects.filter(programme=programme)
    own = cases.filter(organisation=organisation).count()
    if own:
        reasons.append(
            ngettext(
                "%(count)d case of the programme belongs to it.",
                "%(count)d cases of the programme belong to it.",
                own,
            )
            % {"count": own}
        )
    worked_on = (
        cases.exclude(organisation=organisation)
        .filter(
            Q(social_worker__staff_profile__organisation=organisation)
            | Q(mentor__staff_profile__organisation=organisation)
        )
        .count()
    )
    if worked_on:
        reasons.append(
            ngettext(
                "Its staff work on %(count)d case of the programme.",
                "Its staff work on %(count)d cases of the programme.",
                worked_on,
            )
            % {"count": worked_on}
        )
    if membership.role == ConsortiumRole.LEAD and not _other_leads(membership):
        reasons.append(_("It is the consortium's only lead."))
    return reasons + _in_use_elsewhere(InUse(programme=programme, organisation=organisation))


@service
def partner_remove(*, user, membership_id: int) -> None:
    membership = _membership_for_update(user=user, membership_id=membership_id)
    if membership.organisation_id == getattr(organisation_of(user), "pk", None):
        raise InvalidInput(
            {
                "__all__": [
                    _(
                        "Your own organisation cannot leave the programme here: you would lose"
                        " access to it."
                    )
                ]
            }
        )
    reasons = partner_uses(membership)
    if reasons:
        raise InvalidInput(
            {
                "__all__": [
                    _("%(organisation)s cannot leave the programme.")
                    % {"organisation": membership.organisation.name},
                    *reasons,
                ]
            }
        )
    delete_with_history(membership, user=user, reason="programme.partner_remove")


# --------------------------------------------------------------------------------------------
# Locations
# --------------------------------------------------------------------------------------------


def _settlement_named(country: str, name: str) -> Settlement | None:
    """The known settlement called ``name`` in any case of letters. Compared in Python among
    the names of the same length: SQLite folds the case of ASCII letters only ("ózd" would not
    find "Ózd")."""
    wanted = name.casefold()
    candidates = Settlement.objects.annotate(length=Length("name")).filter(
        country=country, length=len(name)
    )
    return next((s for s in candidates if s.name.casefold() == wanted), None)


@service
def location_add(*, user, programme_id: int, name: str, rural: bool) -> ProgrammeLocation:
    """Add the settlement ``name`` of the programme's country to its locations; the settlement
    is created when Lépés does not know it yet (with ``rural`` as its degree of urbanisation)."""
    programme = _programme_for_update(user=user, programme_id=programme_id)
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput({"name": [_("Enter the settlement's name.")]})
    if len(name) > Settlement._meta.get_field("name").max_length:
        raise InvalidInput({"name": [_("The name is too long.")]})
    settlement = _settlement_named(programme.country, name)
    if settlement is None:
        settlement = Settlement(country=programme.country, name=name, rural=bool(rural))
        save_with_history(settlement, user=user, reason="programme.location_add", validate=False)
    elif settlement.rural != bool(rural):
        # Other programmes' reports read the same flag (a participant's rural residence):
        # changing it here would change their figures.
        message = (
            _("%(name)s is recorded as a rural area; add it as one.")
            if settlement.rural
            else _("%(name)s is recorded as not rural; add it as such.")
        )
        raise InvalidInput({"rural": [message % {"name": settlement.name}]})
    if programme.locations.filter(settlement=settlement).exists():
        raise InvalidInput({"name": [_("This settlement is a location of the programme already.")]})
    location = ProgrammeLocation(programme=programme, settlement=settlement)
    save_with_history(location, user=user, reason="programme.location_add", validate=False)
    return location


def location_uses(location: ProgrammeLocation) -> list[str]:
    """Why the location cannot be removed: each kind of record that still names it."""
    name = location.settlement.name
    reasons = []
    # Client.settlement is a name, not a reference: compared as the settlement's name.
    clients = (
        Case.objects.filter(programme_id=location.programme_id, client__settlement__iexact=name)
        .values("client_id")
        .distinct()
        .count()
    )
    if clients:
        reasons.append(
            ngettext(
                "%(count)d client of the programme lives there.",
                "%(count)d clients of the programme live there.",
                clients,
            )
            % {"count": clients}
        )
    return reasons + _in_use_elsewhere(InUse(programme=location.programme, settlement=name))


@service
def location_remove(*, user, location_id: int) -> None:
    location = _programme_row_for_update(
        ProgrammeLocation, user=user, pk=location_id, related=("settlement", "programme")
    )
    reasons = location_uses(location)
    if reasons:
        raise InvalidInput(
            {
                "__all__": [
                    _("%(name)s cannot be removed from the programme's locations.")
                    % {"name": location.settlement.name},
                    *reasons,
                ]
            }
        )
    delete_with_history(location, user=user, reason="programme.location_remove")
