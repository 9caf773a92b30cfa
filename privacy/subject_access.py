"""Subject access (GDPR Art. 15): every row in the database that refers to one person.

The rows are found from the model graph, not from a hand-made list, so that a model added
later cannot be forgotten. Starting from the subject's row (a ``casework.Client``), a row
belongs to the subject when it refers to a row that belongs to the subject:

- through a foreign key or one-to-one field (live tables and simple-history's tables, whose
  copies of the foreign keys keep pointing at rows that may have been deleted since);
- through a generic foreign key (a content type and an object id, Viewflow's process artifact);
- as a history row of an object that belongs to the subject (its ``id`` column), which also
  brings in objects deleted since (a removed goal, through its plan);
- through an automatically created many-to-many table (its rows are foreign keys);
- through a column that holds another table's id without being a foreign key. Those cannot
  be seen in the model graph, so they are declared in ``LOOSE_REFERENCES`` (and the like
  below), and ``undeclared_id_columns()`` names every column that looks like an id and is
  neither a relation nor declared: the subject-access tests fail while it is not empty.

The walk repeats until no new row is found. ``privacy`` sits below casework: it names the
subject's model by label and reads everything else through Django's app registry.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _

SUBJECT_MODEL = "casework.client"

# Columns that hold the id of a row of another table without being a foreign key:
# {model label: {column: label of the model the id is of}}.
LOOSE_REFERENCES: dict[str, dict[str, str]] = {
    "audit.chainhead": {"case_id": "casework.case", "client_id": "casework.client"},
    "notifications.notification": {"task_id": "viewflow.task"},
    "notifications.overduealert": {"task_id": "viewflow.task"},
}
# Pairs of columns that name a model by its label ("casework.case") and an id of it.
LABELLED_REFERENCES: dict[str, tuple[str, str]] = {
    "audit.chainlink": ("model", "object_id"),
}
# Pairs of a content-type foreign key and a text or integer id that Django does not declare as
# a generic foreign key (the admin's log of changes made through the admin site).
CONTENT_TYPE_REFERENCES: dict[str, tuple[str, str]] = {
    "admin.logentry": ("content_type", "object_id"),
}
# Columns that look like ids but never point at a row of the subject: the organisation a chain
# belongs to, a history row's id inside the chain (the pair above already finds the row), a
# Viewflow task's id in an external system.
NOT_SUBJECT_IDS: dict[str, set[str]] = {
    "audit.chainhead": {"organisation_id"},
    "audit.chainlink": {"organisation_id", "history_id"},
    "viewflow.task": {"external_task_id"},
}
# Integrity data of the audit chain: secrets (the salts of the commitments) and hashes that say
# nothing about the person. The row itself is listed, so the subject sees that it exists.
WITHHELD_FIELDS: dict[str, set[str]] = {
    "audit.chainlink": {"salts", "digest", "hash", "schema"},
    "audit.chainhead": {"hash"},
}


@dataclass
class Section:
    """The rows of one model that belong to the subject."""

    label: str
    verbose_name: str
    verbose_name_plural: str
    fields: dict[str, str]  # column name -> label, in the model's order
    rows: list[dict] = field(default_factory=list)  # {"id", "values", "display"}
    withheld: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "model": self.label,
            "verbose_name": self.verbose_name,
            "verbose_name_plural": self.verbose_name_plural,
            "fields": self.fields,
            "withheld_fields": self.withheld,
            "rows": self.rows,
        }


def _concrete(model) -> type[models.Model]:
    return model._meta.concrete_model


def _models() -> list[type[models.Model]]:
    """Every table once: concrete models and automatically created many-to-many tables."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed is not False
    ]


def _history_of(model) -> type[models.Model] | None:
    """The model a simple-history table mirrors (None for other models)."""
    instance_type = getattr(model, "instance_type", None)
    names = {f.name for f in model._meta.concrete_fields}
    if instance_type is not None and {"history_id", "history_type", "history_date"} <= names:
        return _concrete(instance_type)
    return None


def _looks_like_an_id(field_) -> bool:
    name = field_.column
    return name.endswith("_id") or name.endswith("_pk") or name == "object_id"


def undeclared_id_columns() -> list[str]:
    """Columns named like an id (``*_id``, ``*_pk``, ``object_id``) that are neither a relation,
    the id column of a history table, part of a generic foreign key, nor declared above. A
    new one must be declared, or the walk would miss the rows it links."""
    undeclared = []
    for model in _models():
        label = model._meta.label_lower
        generic = {
            part
            for private in model._meta.private_fields
            if isinstance(private, GenericForeignKey)
            for part in (private.ct_field, private.fk_field)
        }
        declared = (
            set(LOOSE_REFERENCES.get(label, {}))
            | set(LABELLED_REFERENCES.get(label, ()))
            | set(CONTENT_TYPE_REFERENCES.get(label, ()))
            | NOT_SUBJECT_IDS.get(label, set())
        )
        for field_ in model._meta.concrete_fields:
            if field_.is_relation or field_.primary_key or not _looks_like_an_id(field_):
                continue
            if field_.name in generic or field_.column in declared or field_.name in declared:
                continue
            undeclared.append(f"{label}.{field_.column}")
    return sorted(undeclared)


class _Walk:
    """Ids per table that belong to the subject, grown until nothing new is found."""

    def __init__(self) -> None:
        self.ids: dict[type[models.Model], set] = defaultdict(set)
        self.depth: dict[type[models.Model], int] = {}
        self._models = _models()
        # Read once, never created: ContentType.get_for_model would insert a missing one.
        self._content_types = {
            (app_label, name): pk
            for pk, app_label, name in ContentType.objects.values_list("pk", "app_label", "model")
        }

    def add(self, model, ids, depth: int) -> set:
        model = _concrete(model)
        new = {value for value in ids if value is not None} - self.ids[model]
        if new:
            self.ids[model] |= new
            self.depth.setdefault(model, depth)
        return new

    def run(self, subject: models.Model) -> None:
        frontier = {_concrete(type(subject)): {subject.pk}}
        self.add(type(subject), {subject.pk}, 0)
        depth = 0
        while frontier:
            depth += 1
            found: dict[type[models.Model], set] = defaultdict(set)
            for model in self._models:
                for target, ids in self._referring(model, frontier):
                    new = self.add(target, ids, depth)
                    if new:
                        found[target] |= new
            frontier = found

    def _referring(self, model, frontier):
        """``(model, ids)`` pairs newly reached from ``model``'s rows that refer to ``frontier``
        (and, for a history table, the ids of the objects those rows are copies of)."""
        label = model._meta.label_lower
        manager = model._base_manager
        pk = model._meta.pk.attname
        mirrored = _history_of(model)
        mirrored_id = mirrored._meta.pk.attname if mirrored is not None else None

        def reached(queryset):
            columns = [pk, mirrored_id] if mirrored is not None else [pk]
            rows = list(queryset.values_list(*columns))
            yield model, {row[0] for row in rows}
            if mirrored is not None:
                yield mirrored, {row[1] for row in rows}

        for field_ in model._meta.concrete_fields:
            if field_.is_relation and (field_.many_to_one or field_.one_to_one):
                target = _concrete(field_.related_model)
                if target in frontier:
                    yield from reached(
                        manager.filter(**{f"{field_.attname}__in": frontier[target]})
                    )
        if mirrored is not None and mirrored in frontier:
            yield from reached(manager.filter(**{f"{mirrored_id}__in": frontier[mirrored]}))
        for private in model._meta.private_fields:
            if isinstance(private, GenericForeignKey):
                yield from self._generic(model, private.ct_field, private.fk_field, frontier)
        if label in CONTENT_TYPE_REFERENCES:
            yield from self._generic(model, *CONTENT_TYPE_REFERENCES[label], frontier)
        for column, target_label in LOOSE_REFERENCES.get(label, {}).items():
            target = _concrete(apps.get_model(target_label))
            if target in frontier:
                yield from reached(manager.filter(**{f"{column}__in": frontier[target]}))
        if label in LABELLED_REFERENCES:
            label_field, id_field = LABELLED_REFERENCES[label]
            # One query for every table of the frontier.
            condition = models.Q(pk__in=[])
            for target, ids in frontier.items():
                condition |= models.Q(
                    **{label_field: target._meta.label_lower, f"{id_field}__in": ids}
                )
            yield from reached(manager.filter(condition))

    def _generic(self, model, ct_field: str, fk_field: str, frontier):
        id_field = model._meta.get_field(fk_field)
        ct_attname = model._meta.get_field(ct_field).attname
        condition = models.Q(pk__in=[])
        for target, ids in frontier.items():
            content_type = self._content_types.get(
                (target._meta.app_label, target._meta.model_name)
            )
            if content_type is not None:
                values = {id_field.to_python(str(value)) for value in ids}
                condition |= models.Q(**{ct_attname: content_type, f"{fk_field}__in": values})
        rows = model._base_manager.filter(condition).values_list(model._meta.pk.attname, flat=True)
        yield model, set(rows)


def _json_value(value, field_=None, row=None):
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    # A library's own column type (Viewflow's flow class and node references): its text form.
    return field_.value_to_string(row) if field_ is not None else str(value)


def _display(field_, value, labels: dict, row=None) -> str:
    if value is None or value == "":
        return "—"
    if field_.is_relation:
        shown = labels.get((_concrete(field_.related_model), value))
        return shown if shown is not None else _("#%(id)s (no longer exists)") % {"id": value}
    if field_.flatchoices:
        return str(dict(field_.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        shown = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(shown, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {item}" for key, item in value.items()) or "—"
    if not isinstance(value, str | int | float | decimal.Decimal):
        return str(_json_value(value, field_, row))
    return str(value)


def _related_labels(rows_by_model) -> dict:
    """``{(model, id): str(row)}`` for every row the subject's rows point at: one query per
    model pointed at, whatever the number of rows."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for model, rows in rows_by_model.items():
        for field_ in model._meta.concrete_fields:
            if field_.is_relation and (field_.many_to_one or field_.one_to_one):
                target = _concrete(field_.related_model)
                wanted[target] |= {getattr(row, field_.attname) for row in rows} - {None}
    labels = {}
    for model, ids in wanted.items():
        for pk, row in model._base_manager.in_bulk(ids).items():
            labels[(model, pk)] = _row_label(row)
    return labels


def _row_label(row) -> str:
    user_model = apps.get_model("auth", "User")
    if isinstance(row, user_model):
        return row.get_full_name() or row.get_username()
    try:
        return str(row)
    except Exception:  # a __str__ that needs a row deleted since
        return f"{row._meta.verbose_name} #{row.pk}"


def referring_rows(subject: models.Model) -> dict[type[models.Model], set]:
    """``{model: primary keys}`` of every row that refers to ``subject`` (the subject's own row
    included), live tables and history tables alike: what an erasure must visit."""
    walk = _Walk()
    walk.run(subject)
    return {model: ids for model, ids in walk.ids.items() if ids}


def history_of(model) -> type[models.Model] | None:
    """The model a simple-history table mirrors, or None when ``model`` is not one."""
    return _history_of(model)


def collect(subject: models.Model) -> list[Section]:
    """Every row that refers to ``subject``, one section per table, in the active language:
    the subject's own row first, then the tables in the order the walk reached them."""
    walk = _Walk()
    walk.run(subject)
    rows_by_model = {
        model: list(model._base_manager.filter(pk__in=ids).order_by(model._meta.pk.attname))
        for model, ids in walk.ids.items()
        if ids
    }
    labels = _related_labels(rows_by_model)
    ordered = sorted(rows_by_model, key=lambda m: (walk.depth[m], m._meta.label_lower))
    sections = []
    for model in ordered:
        label = model._meta.label_lower
        withheld = WITHHELD_FIELDS.get(label, set())
        shown = [f for f in model._meta.concrete_fields if f.name not in withheld]
        section = Section(
            label=label,
            verbose_name=str(model._meta.verbose_name),
            verbose_name_plural=str(model._meta.verbose_name_plural),
            fields={f.name: str(f.verbose_name) for f in shown},
            withheld=sorted(withheld),
        )
        for row in rows_by_model[model]:
            values = {f.name: getattr(row, f.attname) for f in shown}
            section.rows.append(
                {
                    "id": _json_value(row.pk),
                    "values": {f.name: _json_value(values[f.name], f, row) for f in shown},
                    "display": {f.name: _display(f, values[f.name], labels, row) for f in shown},
                }
            )
        sections.append(section)
    return sections


def subject_model() -> type[models.Model]:
    return apps.get_model(SUBJECT_MODEL)
