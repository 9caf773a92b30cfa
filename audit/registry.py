"""What the audit trail knows about the tracked models: which belong to a case's timeline, how a
history row finds its case (and so its chain), which fields are personal (hashed as salted
commitments, erasable) and which are special-category (values hidden from roles not entitled).

Any other model with ``HistoricalRecords()`` is chained too (one chain per object) without being
listed here; a model may declare ``AUDIT_PERSONAL_FIELDS`` to have fields committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from privacy import registry as privacy_registry

TASK = "task"
CASE = "casework.case"
CLIENT = "casework.client"
SESSION = "casework.session"
REVIEW = "audit.reviewsignoff"

# Every history row carries its reason; "case.suspend: <free text>" may hold personal data.
ALWAYS_PERSONAL = ("history_change_reason",)

# Which fields are personal is decided once, in the record of processing (privacy/registry.py):
# the fields it marks ``committed`` are hashed here as salted commitments and erasable.
PERSONAL_FIELDS: dict[str, tuple[str, ...]] = privacy_registry.committed_fields()


@dataclass(frozen=True)
class RecordType:
    """One kind of record in a case timeline."""

    code: str
    label: str  # the tracked model, "casework.case"
    case_field: str | None = None  # the history column holding the case id
    # (fk column, model it points to, that model's case column) when the case is one step away
    via: tuple[str, str, str] | None = None
    hidden: tuple[str, ...] = field(default=("id",))  # columns a diff never shows

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    @property
    def verbose_name(self):
        return self.model._meta.verbose_name

    @property
    def in_case_chain(self) -> bool:
        return bool(self.case_field or self.via)


RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType("case", CASE, case_field="id"),
    RecordType("client", CLIENT),
    RecordType("plan", "casework.developmentplan", case_field="case_id", hidden=("id", "case_id")),
    RecordType(
        "goal",
        "casework.goal",
        via=("plan_id", "casework.developmentplan", "case_id"),
        hidden=("id", "plan_id"),
    ),
    RecordType("session", SESSION),
    RecordType("attendance", "casework.attendance", case_field="case_id", hidden=("id", "case_id")),
    RecordType(
        "screening", "casework.healthscreening", case_field="case_id", hidden=("id", "case_id")
    ),
    RecordType("placement", "casework.placement", case_field="case_id", hidden=("id", "case_id")),
    RecordType("follow_up", "casework.followup", case_field="case_id", hidden=("id", "case_id")),
    RecordType("referral", "casework.referral", case_field="case_id", hidden=("id", "case_id")),
    # The ESF+ snapshot belongs to the case the person entered through: its corrections are
    # in that case's timeline and chain.
    RecordType(
        "entry_record",
        "casework.entryrecord",
        case_field="case_id",
        hidden=("id", "case_id", "client_id", "programme_id"),
    ),
    RecordType("review", REVIEW, case_field="case_id", hidden=("id", "case_id", "up_to_link")),
)

BY_CODE = {record.code: record for record in RECORD_TYPES}
BY_LABEL = {record.label: record for record in RECORD_TYPES}
TIMELINE_LABELS = tuple(record.label for record in RECORD_TYPES)


def record_type_choices() -> list[tuple[str, str]]:
    return [(r.code, capfirst(r.verbose_name)) for r in RECORD_TYPES] + [
        (TASK, capfirst(_("workflow task")))
    ]


# --------------------------------------------------------------------------------------------
# Tracked models and their history tables
# --------------------------------------------------------------------------------------------


def is_tracked(model) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute") and not getattr(
        model._meta, "proxy", False
    )


def tracked_models() -> list[type[models.Model]]:
    """Every model with ``HistoricalRecords()``, in a stable order."""
    return sorted((m for m in apps.get_models() if is_tracked(m)), key=lambda m: m._meta.label)


@cache
def history_model(model) -> type[models.Model]:
    # Reading ``Model.history`` builds a new manager class each time (about half a millisecond):
    # the history model behind it never changes, so it is looked up once.
    return getattr(model, model._meta.simple_history_manager_attribute).model


def tracked_model_of(history_model_class) -> type[models.Model]:
    return history_model_class.instance_type


def personal_fields(model) -> tuple[str, ...]:
    declared = getattr(model, "AUDIT_PERSONAL_FIELDS", None)
    own = declared if declared is not None else PERSONAL_FIELDS.get(model._meta.label_lower, ())
    return (*own, *ALWAYS_PERSONAL)


def special_fields(model) -> tuple[str, ...]:
    return tuple(getattr(model, "SPECIAL_CATEGORY_FIELDS", ()))


@cache
def value_labels(label: str, attname: str) -> dict[str, str] | None:
    """Labels for the items of a JSON list field that holds choice values."""
    if (label, attname) == (CLIENT, "target_groups"):
        from casework.models import TargetGroup

        return dict(TargetGroup.choices)
    return None


# --------------------------------------------------------------------------------------------
# Chains
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which chain a history row joins, and what it is about."""

    key: str
    case_id: int | None = None
    client_id: int | None = None
    organisation_id: int | None = None

    @property
    def is_case_chain(self) -> bool:
        return self.key.startswith("case:")


def scope_for(label: str, get: Callable[[str], object], *, instance=None, using=None) -> Scope:
    """The chain of a history row of the tracked model ``label``; ``get(attname)`` reads the row.

    Rows attached to a case join the case's chain, so that every write on a case queues behind
    the case's own head row, which the services reach while holding the case's row lock anyway:
    no new lock order, no new deadlock."""
    record = BY_LABEL.get(label)
    pk = get(apps.get_model(label)._meta.pk.attname)
    if record is not None and record.case_field:
        case_id = get(record.case_field)
        return Scope(key=f"case:{case_id}", case_id=case_id)
    if record is not None and record.via:
        fk, target, target_field = record.via
        case_id = _via(instance, fk, target, target_field, get(fk), using)
        return Scope(key=f"case:{case_id}", case_id=case_id)
    if label == CLIENT:
        return Scope(key=f"client:{pk}", client_id=pk, organisation_id=get("organisation_id"))
    organisation_id = pk if label == "casework.organisation" else _maybe(get, "organisation_id")
    return Scope(key=f"{label}:{pk}", organisation_id=organisation_id)


def _maybe(get, attname):
    try:
        return get(attname)
    except (AttributeError, KeyError):
        return None


def _via(instance, fk: str, target: str, target_field: str, target_id, using):
    name = fk.removesuffix("_id")
    if instance is not None:
        descriptor = getattr(type(instance), name, None)
        if descriptor is not None and descriptor.is_cached(instance):
            return getattr(getattr(instance, name), target_field)
    model = apps.get_model(target)
    value = (
        model._default_manager.using(using)
        .filter(pk=target_id)
        .values_list(target_field, flat=True)
        .first()
    )
    if value is None:  # the target was deleted: its history still says where it belonged
        value = (
            history_model(model)
            .objects.using(using)
            .filter(**{model._meta.pk.attname: target_id})
            .values_list(target_field, flat=True)
            .first()
        )
    return value
