"""Programme templates: the settings of a known kind of programme as a versioned data file
(``casework/programme_templates/<key>.yaml``), and the service that creates a programme from one.

A template holds what a grant agreement fixes: the stages used, the attendance threshold, the
follow-up intervals, the funder's retention years, the partner organisations with their role in
the consortium, the locations (settlements, with their rural flag) and the indicator targets.
Its name and description are in the file in Hungarian, Slovak and English; ``.name`` answers in
the active language.

Files are read strictly: an unknown key, an unknown stage, kind, role or indicator, a date that
is not a date, a period that ends before it starts or a missing translation is a
``TemplateError`` naming the file and the place, so a broken template fails its test and never
half-creates a programme.

Targets belong to ``reporting``, which sits above casework in the layers: reporting plugs in the
indicator codes and the target writer (``plug_targets``, from its ``AppConfig.ready``), as
``workflows`` plugs in the journey flow.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import yaml
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kernel.choices import Stage
from kernel.errors import InvalidInput, NotAllowed, NotFound
from kernel.services import service

from . import setup
from .models import (
    ConsortiumRole,
    Country,
    Organisation,
    OrganisationKind,
    Programme,
)
from .roles import Role, roles_of
from .selectors import organisation_of

DIRECTORY = Path(__file__).resolve().parent / "programme_templates"
LANGUAGES = ("hu", "sk", "en")
# Every programme has an intake and a development plan; the other stages are settings.
REQUIRED_STAGES = (Stage.INTAKE, Stage.PLANNING)
OPTIONAL_STAGES = {
    Stage.TRAINING: "uses_training",
    Stage.SCREENING: "uses_screening",
    Stage.PLACEMENT: "uses_placement",
    Stage.FOLLOW_UP: "uses_follow_up",
}
KEYS = {
    "version",
    "name",
    "description",
    "funder_code",
    "country",
    "starts_on",
    "ends_on",
    "stages",
    "attendance",
    "follow_up_days",
    "retention_years",
    "partners",
    "locations",
    "targets",
}


class TemplateError(ValueError):
    """A template file that cannot be used, with the file and the place named."""


# --------------------------------------------------------------------------------------------
# The port for targets (reporting plugs it in)
# --------------------------------------------------------------------------------------------


class TargetWriter(Protocol):
    def indicator_codes(self) -> set[str]: ...

    def set_targets(self, *, user, programme: Programme, targets: list[TargetSpec]) -> None: ...


_targets: TargetWriter | None = None


def plug_targets(writer: TargetWriter) -> None:
    """Called once by ``reporting`` when the app registry is ready."""
    global _targets
    _targets = writer


def _target_writer() -> TargetWriter:
    if _targets is None:
        raise ImproperlyConfigured("No target writer is plugged in: is 'reporting' installed?")
    return _targets


# --------------------------------------------------------------------------------------------
# What a template holds
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerSpec:
    name: str
    kind: str
    role: str
    settlement: str


@dataclass(frozen=True)
class LocationSpec:
    name: str
    rural: bool


@dataclass(frozen=True)
class TargetSpec:
    indicator: str
    value: int | float
    partner: str = ""  # an organisation's name among the partners; empty: the consortium
    location: str = ""  # a location's name; empty: every location
    deadline: datetime.date | None = None  # None: the programme's end


@dataclass(frozen=True)
class ProgrammeTemplate:
    key: str
    version: int
    names: dict[str, str]
    descriptions: dict[str, str]
    funder_code: str
    country: str
    starts_on: datetime.date
    ends_on: datetime.date
    stages: tuple[str, ...]
    attendance_threshold: int
    planned_sessions: int
    follow_up_days: tuple[int, int]
    retention_years: int
    partners: tuple[PartnerSpec, ...]
    locations: tuple[LocationSpec, ...]
    targets: tuple[TargetSpec, ...]

    @property
    def name(self) -> str:
        return _in_language(self.names)

    @property
    def description(self) -> str:
        return _in_language(self.descriptions)

    def settings(self) -> dict:
        """The programme's fields as the template gives them."""
        return {
            "name": self.names.get(_COUNTRY_LANGUAGE[self.country], self.names["en"]),
            "funder_code": self.funder_code,
            "country": self.country,
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
            **{field: stage in self.stages for stage, field in OPTIONAL_STAGES.items()},
            "attendance_threshold": self.attendance_threshold,
            "planned_sessions": self.planned_sessions,
            "first_follow_up_days": self.follow_up_days[0],
            "second_follow_up_days": self.follow_up_days[1],
            "retention_years": self.retention_years,
        }


# The programme's own name is kept in its country's language (reports to the funder use it).
_COUNTRY_LANGUAGE = {Country.HUNGARY: "hu", Country.SLOVAKIA: "sk"}


def _in_language(texts: dict[str, str]) -> str:
    language = (get_language() or "en").split("-")[0]
    return texts.get(language) or texts["en"]


# --------------------------------------------------------------------------------------------
# Reading and validating
# --------------------------------------------------------------------------------------------


class _Reader:
    """Checks one file's parsed data, collecting every error before raising."""

    def __init__(self, source: str):
        self.source = source
        self.errors: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def mapping(self, value, where: str, *, required: set[str], allowed: set[str]) -> dict:
        if not isinstance(value, dict):
            self.fail(where, "expected a mapping")
            return {}
        for key in sorted(required - value.keys()):
            self.fail(where, f"missing '{key}'")
        for key in sorted(value.keys() - allowed, key=str):
            self.fail(where, f"unknown key '{key}'")
        return value

    def integer(self, value, where: str, *, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(where, f"expected a whole number from {low} to {high}, got {value!r}")
            return low
        return value

    def text(self, value, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"expected text, got {value!r}")
            return ""
        return value.strip()

    def date(self, value, where: str) -> datetime.date | None:
        # YAML reads 2018-01-01 as a date; anything else (a string, a datetime) is refused.
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
            self.fail(where, f"expected a date as YYYY-MM-DD, got {value!r}")
            return None
        return value

    def choice(self, value, where: str, choices) -> str:
        if value not in choices:
            self.fail(where, f"unknown value {value!r} (one of: {', '.join(map(str, choices))})")
        return value

    def translations(self, value, where: str) -> dict[str, str]:
        texts = self.mapping(value, where, required=set(LANGUAGES), allowed=set(LANGUAGES))
        return {
            lang: self.text(texts[lang], f"{where}.{lang}") for lang in LANGUAGES if lang in texts
        }


def parse_template(key: str, text: str, *, source: str = "") -> ProgrammeTemplate:
    """Validate the YAML ``text`` of template ``key`` and answer the template, or raise a
    ``TemplateError`` listing every problem found."""
    source = source or f"{key}.yaml"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise TemplateError(f"{source}: not valid YAML: {error}") from None
    r = _Reader(source)
    data = r.mapping(data, "template", required=KEYS - {"targets"}, allowed=KEYS)
    get = data.get
    version = r.integer(get("version"), "version", low=1, high=10_000)
    names = r.translations(get("name"), "name")
    descriptions = r.translations(get("description"), "description")
    funder_code = r.text(get("funder_code"), "funder_code")
    country = r.choice(get("country"), "country", Country.values)
    starts_on = r.date(get("starts_on"), "starts_on")
    ends_on = r.date(get("ends_on"), "ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        r.fail("ends_on", f"the programme ends ({ends_on}) before it starts ({starts_on})")

    stages = get("stages") if isinstance(get("stages"), list) else []
    if not stages:
        r.fail("stages", "expected a list of stages")
    journey = [stage for stage in Stage.journey() if stage != Stage.CLOSED]
    for n, stage in enumerate(stages):
        r.choice(stage, f"stages[{n}]", journey)
    for stage in REQUIRED_STAGES:
        if stages and stage not in stages:
            r.fail("stages", f"every programme uses the stage '{stage}'")
    if [s for s in stages if s in journey] != [s for s in journey if s in stages]:
        r.fail("stages", f"list the stages in the journey's order: {', '.join(journey)}")

    attendance = r.mapping(
        get("attendance"),
        "attendance",
        required={"threshold", "planned_sessions"},
        allowed={"threshold", "planned_sessions"},
    )
    planned = r.integer(
        attendance.get("planned_sessions"), "attendance.planned_sessions", low=1, high=200
    )
    threshold = r.integer(attendance.get("threshold"), "attendance.threshold", low=0, high=planned)
    follow_up = get("follow_up_days")
    if not (isinstance(follow_up, list) and len(follow_up) == 2):
        r.fail("follow_up_days", "expected two numbers of days: [first, second]")
        follow_up = [28, 182]
    first = r.integer(follow_up[0], "follow_up_days[0]", low=1, high=3650)
    second = r.integer(follow_up[1], "follow_up_days[1]", low=first, high=3650)
    retention = r.integer(get("retention_years"), "retention_years", low=1, high=30)

    partners = []
    for n, item in enumerate(get("partners") or []):
        where = f"partners[{n}]"
        item = r.mapping(
            item,
            where,
            required={"name", "kind", "role", "settlement"},
            allowed={"name", "kind", "role", "settlement"},
        )
        partners.append(
            PartnerSpec(
                name=r.text(item.get("name"), f"{where}.name"),
                kind=r.choice(item.get("kind"), f"{where}.kind", OrganisationKind.values),
                role=r.choice(item.get("role"), f"{where}.role", ConsortiumRole.values),
                settlement=r.text(item.get("settlement"), f"{where}.settlement"),
            )
        )
    partner_names = [p.name for p in partners]
    if not partners:
        r.fail("partners", "expected at least one partner")
    elif ConsortiumRole.LEAD not in [p.role for p in partners]:
        r.fail("partners", "one partner must be the consortium's lead")
    if len(set(partner_names)) != len(partner_names):
        r.fail("partners", "a partner is listed twice")

    locations = []
    for n, item in enumerate(get("locations") or []):
        where = f"locations[{n}]"
        item = r.mapping(item, where, required={"name", "rural"}, allowed={"name", "rural"})
        if not isinstance(item.get("rural"), bool):
            r.fail(f"{where}.rural", "expected true or false")
        locations.append(
            LocationSpec(r.text(item.get("name"), f"{where}.name"), bool(item.get("rural")))
        )
    location_names = [location.name for location in locations]
    if len(set(location_names)) != len(location_names):
        r.fail("locations", "a location is listed twice")

    codes = _target_writer().indicator_codes()
    targets = []
    target_keys = {"indicator", "value", "partner", "location", "deadline"}
    for n, item in enumerate(get("targets") or []):
        where = f"targets[{n}]"
        item = r.mapping(item, where, required={"indicator", "value"}, allowed=target_keys)
        indicator = item.get("indicator")
        if indicator not in codes:
            r.fail(f"{where}.indicator", f"unknown indicator {indicator!r}")
        value = item.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            r.fail(f"{where}.value", f"expected a number above zero, got {value!r}")
        partner, location = item.get("partner", ""), item.get("location", "")
        if partner and partner not in partner_names:
            r.fail(f"{where}.partner", f"{partner!r} is not among the partners")
        if location and location not in location_names:
            r.fail(f"{where}.location", f"{location!r} is not among the locations")
        deadline = None
        if "deadline" in item:
            deadline = r.date(item["deadline"], f"{where}.deadline")
            if deadline and starts_on and ends_on and not starts_on <= deadline <= ends_on:
                r.fail(f"{where}.deadline", "the deadline is outside the programme's period")
        targets.append(TargetSpec(indicator, value, partner, location, deadline))
    seen = [(t.indicator, t.partner, t.location) for t in targets]
    if len(set(seen)) != len(seen):
        r.fail("targets", "an indicator has two targets for the same partner and location")

    if r.errors:
        raise TemplateError(f"{source}: " + "; ".join(r.errors))
    return ProgrammeTemplate(
        key=key,
        version=version,
        names=names,
        descriptions=descriptions,
        funder_code=funder_code,
        country=country,
        starts_on=starts_on,
        ends_on=ends_on,
        stages=tuple(stages),
        attendance_threshold=threshold,
        planned_sessions=planned,
        follow_up_days=(first, second),
        retention_years=retention,
        partners=tuple(partners),
        locations=tuple(locations),
        targets=tuple(targets),
    )


@cache
def _load_all() -> dict[str, ProgrammeTemplate]:
    templates = {}
    for path in sorted(DIRECTORY.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        templates[path.stem] = parse_template(path.stem, text, source=path.name)
    return templates


def available_templates() -> list[ProgrammeTemplate]:
    """Every template, sorted by its name in the active language."""
    return sorted(_load_all().values(), key=lambda template: template.name)


def template_get(key: str) -> ProgrammeTemplate:
    template = _load_all().get(key)
    if template is None:
        raise NotFound()
    return template


# --------------------------------------------------------------------------------------------
# Creating a programme from a template
# --------------------------------------------------------------------------------------------

OVERRIDES = {"funder_code", "name", "starts_on"}


def _write_programme(*, user, settings: dict, template: ProgrammeTemplate) -> Programme:
    """The programme, its consortium and its locations through the set-up services, so that a
    template is held to the same rules (and leaves the same history) as a programme typed in by
    hand; the programme's own row names the template and its version."""
    reason = f"programme.create_from_template: {template.key} v{template.version}"
    programme = setup.programme_create(user=user, data=settings, reason=reason)
    own = organisation_of(user)
    for partner in template.partners:
        if partner.name.casefold() == own.name.casefold():
            continue  # programme_create made it the lead already
        known = Organisation.objects.filter(name__iexact=partner.name).first()
        setup.partner_add(
            user=user,
            programme_id=programme.pk,
            role=partner.role,
            organisation_id=known.pk if known else None,
            organisation=None
            if known
            else {"name": partner.name, "kind": partner.kind, "settlement": partner.settlement},
        )
    for location in template.locations:
        try:
            setup.location_add(
                user=user, programme_id=programme.pk, name=location.name, rural=location.rural
            )
        except InvalidInput as error:
            # The template's form has no location fields: its refusals are the template's.
            messages = [m for ms in error.field_errors.values() for m in ms]
            raise InvalidInput({"locations": messages}) from None
    return programme


@service
def programme_create_from_template(
    *, user, template_key: str, data: dict | None = None
) -> Programme:
    """Create a programme as template ``template_key`` describes it: its settings, consortium,
    locations and targets, in one transaction with history (reason
    ``programme.create_from_template``). ``data`` may override the ``funder_code``, the
    ``name`` and the start date (``starts_on``; the end and the target deadlines move with it).
    The creator's organisation joins the consortium as a lead when the template does not list
    it."""
    if Role.PROGRAMME_ADMIN not in roles_of(user) or not user.is_active:
        raise NotAllowed(_("Only a programme admin creates a programme from a template."))
    if organisation_of(user) is None:
        raise NotAllowed(
            _(
                "A programme needs an organisation of yours in its consortium: "
                "your account has none."
            )
        )
    template = _load_all().get(template_key)
    if template is None:
        raise InvalidInput({"template": [_("Choose a programme template.")]})
    data = dict(data or {})
    unknown = sorted(set(data) - OVERRIDES)
    if unknown:
        raise InvalidInput(
            {
                "__all__": [
                    _(
                        "A template takes only a funder code, a name and a start date; "
                        "not: %(names)s."
                    )
                    % {"names": ", ".join(unknown)}
                ]
            }
        )
    settings = template.settings()
    for name in ("funder_code", "name"):
        if name in data:
            settings[name] = (data[name] or "").strip()
    shift = datetime.timedelta(0)
    if data.get("starts_on"):
        if not isinstance(data["starts_on"], datetime.date):
            raise InvalidInput({"starts_on": [_("Enter a valid date.")]})
        shift = data["starts_on"] - template.starts_on
        settings["starts_on"] = data["starts_on"]
        settings["ends_on"] = template.ends_on + shift
    if Programme.objects.filter(funder_code__iexact=settings["funder_code"]).exists():
        raise InvalidInput(
            {"funder_code": [_("A programme with this funder code exists already.")]}
        )
    programme = _write_programme(user=user, settings=settings, template=template)
    targets = [
        TargetSpec(
            t.indicator, t.value, t.partner, t.location, t.deadline + shift if t.deadline else None
        )
        for t in template.targets
    ]
    if targets:
        _target_writer().set_targets(user=user, programme=programme, targets=targets)
    return programme
