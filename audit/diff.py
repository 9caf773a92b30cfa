"""Field-level differences between two history rows, as people read them.

Values are shown the way the case page shows them: choice labels (what ``get_FOO_display``
returns), related records by name, dates in the user's format. Special-category fields show
only that they changed, to roles not entitled to them. Names of related records are fetched in
one query per related model for a whole page, so a page's query count does not depend on how
many entries or changes it shows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Cast
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import chain, registry

EMPTY = "—"


@dataclass
class Change:
    field: str
    label: str
    old: object = None  # raw values until ``render``
    new: object = None
    masked: bool = False
    old_text: str = ""
    new_text: str = ""
    # The model field and the raw values, kept for ``render``.
    model_field: models.Field | None = field(default=None, repr=False, compare=False)
    raw_old: object = field(default=None, repr=False, compare=False)
    raw_new: object = field(default=None, repr=False, compare=False)

    def as_json(self) -> dict:
        if self.masked:
            return {"field": self.field, "label": self.label, "changed": True, "masked": True}
        return {
            "field": self.field,
            "label": self.label,
            "old": self.old_text,
            "new": self.new_text,
            "old_value": self.old,
            "new_value": self.new,
        }


@dataclass
class Refs:
    """Related records whose names a page needs, by model label."""

    wanted: dict[str, set] = field(default_factory=lambda: defaultdict(set))
    names: dict[tuple[str, object], str] = field(default_factory=dict)

    def want(self, model, pk) -> None:
        if pk is not None:
            self.wanted[model._meta.label_lower].add(pk)

    def name(self, model, pk) -> str:
        if pk is None:
            return EMPTY
        return self.names.get((model._meta.label_lower, pk)) or f"#{pk}"

    def resolve(self) -> None:
        """One query for every related model this module knows how to name (``_NAMED``), one
        per other related model."""
        from django.apps import apps

        wanted = {}
        for label, ids in self.wanted.items():
            ids = {pk for pk in ids if (label, pk) not in self.names}
            if ids:
                wanted[label] = ids
        self.wanted.clear()
        named = {label: ids for label, ids in wanted.items() if label in _named()}
        for label, pk, name in _names_of_known(named):
            self.names[(label, pk)] = name
        for label, ids in wanted.items():
            if label not in named:
                for pk, obj in apps.get_model(label)._default_manager.in_bulk(ids).items():
                    self.names[(label, pk)] = str(obj)


def _person(first_name, last_name, username) -> str:
    return f"{first_name} {last_name}".strip() or username


def _client(family_name, given_name) -> str:
    return f"{family_name} {given_name}"


def _session(topic, held_on) -> str:
    day = datetime.date.fromisoformat(held_on[:10])
    return f"{topic} ({formats.date_format(day, 'SHORT_DATE_FORMAT')})"


@cache
def _named() -> dict[str, tuple[tuple[str, ...], Callable[..., str]]]:
    """How a related record reads in a diff: its columns (at most three) and how they join."""
    return {
        get_user_model()._meta.label_lower: (("first_name", "last_name", "username"), _person),
        "casework.organisation": (("name",), str),
        "casework.programme": (("name",), str),
        "casework.client": (("family_name", "given_name"), _client),
        "casework.case": (("number",), str),
        "casework.session": (("topic", "held_on"), _session),
    }


def _names_of_known(wanted: Mapping[str, set]) -> Iterable[tuple[str, object, str]]:
    """(label, pk, name) of every wanted record, in one ``UNION ALL`` of the models' tables:
    each contributes its label, its key and up to three of its columns as text."""
    from django.apps import apps

    parts = []
    for label, ids in wanted.items():
        columns, _join = _named()[label]
        texts = [Cast(name, models.TextField()) for name in columns]
        texts += [Value(None, output_field=models.TextField())] * (3 - len(texts))
        parts.append(
            apps.get_model(label)
            ._default_manager.filter(pk__in=ids)
            .order_by()
            .annotate(
                ref_label=Value(label, output_field=models.TextField()),
                ref_pk=F("pk"),
                **{f"ref_{n}": text for n, text in enumerate(texts)},
            )
            .values_list("ref_label", "ref_pk", "ref_0", "ref_1", "ref_2")
        )
    if not parts:
        return
    first, *others = parts
    for label, pk, *texts in first.union(*others, all=True) if others else first:
        columns, join = _named()[label]
        yield label, pk, join(*texts[: len(columns)])


# --------------------------------------------------------------------------------------------
# Fields and values
# --------------------------------------------------------------------------------------------


@cache
def shown_fields(model, record: registry.RecordType | None) -> tuple[models.Field, ...]:
    """The fields a diff shows, in the model's order (once per process: models do not change
    while it runs)."""
    hidden = set(record.hidden if record else ("id",))
    history = registry.history_model(model)
    in_history = {f.attname for f in history._meta.concrete_fields}
    return tuple(
        f
        for f in model._meta.concrete_fields
        if f.attname in in_history and f.attname not in hidden
    )


def field_label(f: models.Field) -> str:
    """The field's verbose name, capitalised, in the active language."""
    return _field_label(f, get_language())


@lru_cache(maxsize=1024)
def _field_label(f: models.Field, language: str | None) -> str:
    return str(capfirst(f.verbose_name))


@lru_cache(maxsize=256)
def _choice_labels(f: models.Field, language: str | None) -> dict:
    return {value: str(label) for value, label in f.flatchoices}


def diff(
    model,
    record: registry.RecordType | None,
    row: Mapping,
    previous: Mapping | None,
    *,
    show_special: bool,
    refs: Refs,
) -> list[Change]:
    """What changed from ``previous`` to ``row`` (both history rows as dicts of attnames).
    A creation lists every field it set; a deletion lists nothing."""
    if row["history_type"] == "-":
        return []
    special = set(registry.special_fields(model))
    changes = []
    for f in shown_fields(model, record):
        new = row.get(f.attname)
        if previous is None:
            if new in (None, "", []):
                continue
            old = None
        else:
            old = previous.get(f.attname)
            if chain.canonical_value(f, old) == chain.canonical_value(f, new):
                continue
        masked = f.name in special and not show_special
        change = Change(
            field=f.name,
            label=field_label(f),
            old=None if masked else chain.canonical_value(f, old),
            new=None if masked else chain.canonical_value(f, new),
            masked=masked,
            model_field=f,
            raw_old=old,
            raw_new=new,
        )
        if not masked and isinstance(f, models.ForeignKey):
            refs.want(f.related_model, old)
            refs.want(f.related_model, new)
        changes.append(change)
    return changes


def render(changes: Iterable[Change], refs: Refs, *, model_label: str) -> None:
    for change in changes:
        if change.masked:
            change.old_text = change.new_text = _("changed (special category)")
            continue
        f = change.model_field
        change.old_text = display(f, change.raw_old, refs, model_label=model_label)
        change.new_text = display(f, change.raw_new, refs, model_label=model_label)


def display(f: models.Field, value, refs: Refs, *, model_label: str = "") -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(f, models.ForeignKey):
        return refs.name(f.related_model, value)
    if f.choices:
        return str(_choice_labels(f, get_language()).get(value, value))
    if isinstance(f, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(f, models.DateTimeField):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(f, models.DateField):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(f, models.JSONField) and isinstance(value, list):
        labels = registry.value_labels(model_label, f.attname) or {}
        return ", ".join(str(labels.get(item, item)) for item in value) or EMPTY
    return str(value)


def facts(model, record, values: Mapping, *, show_special: bool, refs: Refs) -> list:
    """(label, value) pairs of one record, for the time-travel page. Call ``refs.resolve()``
    between ``want_facts`` and this."""
    special = set(registry.special_fields(model))
    label = model._meta.label_lower
    out = []
    for f in shown_fields(model, record):
        if f.name in special and not show_special:
            out.append((capfirst(f.verbose_name), _("hidden (special category)")))
            continue
        out.append(
            (capfirst(f.verbose_name), display(f, values.get(f.attname), refs, model_label=label))
        )
    return out


def want_facts(model, record, values: Mapping, refs: Refs) -> None:
    for f in shown_fields(model, record):
        if isinstance(f, models.ForeignKey):
            refs.want(f.related_model, values.get(f.attname))
