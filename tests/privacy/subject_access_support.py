"""A client with a case carrying every kind of record, built through the services, and an
oracle that finds the rows referring to a client from the model graph, written apart from
``privacy.subject_access`` so that the two check each other."""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType

from audit import services as audit_services
from audit.access import record_access
from casework import services
from casework.journey import Stage
from casework.models import Case, Client, GoalArea
from community import services as community_services
from community.models import EventKind
from notifications.models import OverdueAlert
from privacy import services as privacy_services
from privacy.models import Purpose
from workflows.models import CaseTask

from ..conftest import new_client
from ..journey import TODAY, to_stage


def planted_client(world, *, family_name: str, given_name: str, full: bool = True) -> Case:
    """A client whose case went through the whole journey (plan, goals, a removed goal,
    sessions, screening, placement, follow-ups), with a referral, a withdrawn consent, a
    community event, a supervisor's review, reads of the file, an admin log entry and an
    overdue alert."""
    client = new_client(world, family_name=family_name, given_name=given_name, phone="+36 1 555")
    case = services.case_open(
        user=world.worker, client_id=client.pk, programme_id=world.programme.pk
    )
    record_access(user=world.worker, client=client, case=case, what="case_page")
    to_stage(case, world, Stage.PLANNING)
    goal = services.goal_add(
        user=world.mentor, case_id=case.pk, area=GoalArea.HOUSING, description="Second goal"
    )
    services.goal_remove(user=world.mentor, goal_id=goal.pk)  # history only, row deleted
    referral = services.referral_create(
        user=world.worker, case_id=case.pk, partner_id=world.labour_office.pk, purpose="Job offers"
    )
    services.referral_record_answer(
        user=world.worker, referral_id=referral.pk, answer="Two offers", answered_on=TODAY
    )
    photos = privacy_services.consent_record(
        user=world.worker, case=case, purpose=Purpose.EVENT_PHOTOS, given_on=TODAY
    )
    privacy_services.consent_withdraw(
        user=world.worker, case=case, consent_id=photos.pk, withdrawn_on=TODAY
    )
    event = community_services.event_create(
        user=world.worker,
        programme_id=world.programme.pk,
        kind=EventKind.FORUM,
        title=f"Forum {family_name}",
        settlement="Ózd",
        held_on=TODAY,
    )
    community_services.event_record_attendance(
        user=world.worker, event_id=event.pk, client_ids=[client.pk], guests=[("Guest", "Ózd")]
    )
    if full:
        to_stage(case, world, Stage.CLOSED)
    audit_services.review_sign_off(user=world.supervisor, case_id=case.pk, note="Reviewed")
    record_access(user=world.supervisor, client=client, case=case, what="case_page")
    LogEntry.objects.create(
        user=world.supervisor,
        content_type=ContentType.objects.get_for_model(Client),
        object_id=str(client.pk),
        object_repr=str(client),
        action_flag=CHANGE,
        change_message="[]",
    )
    task = CaseTask.objects.filter(process__artifact_object_id=case.pk).order_by("pk").first()
    OverdueAlert.objects.create(task_id=task.pk, kind=OverdueAlert.Kind.ESCALATION, on_date=TODAY)
    case.refresh_from_db()
    return case


# -- the oracle ------------------------------------------------------------------------------


def _tables():
    return [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy]


def _model_named(name: str):
    """The model whose name a loose ``<name>_id`` column refers to, when it is unique."""
    found = [m for m in _tables() if m._meta.model_name == name and not hasattr(m, "instance_type")]
    return found[0]._meta.concrete_model if len(found) == 1 else None


def rows_referring_to(client: Client) -> dict[str, set]:
    """``{model label: primary keys}`` of every row that leads to ``client`` by following
    foreign keys, generic foreign keys, history ids (``history_object``'s ``id``) and loose
    ``<model>_id`` columns, repeated until nothing new is found."""
    owned: dict = defaultdict(set)
    owned[Client].add(client.pk)
    content_types = {ct.pk: ct.model_class() for ct in ContentType.objects.all()}
    changed = True
    while changed:
        changed = False
        for model in _tables():
            manager = model._base_manager
            mirrored = getattr(model, "instance_type", None)
            mirrored = mirrored._meta.concrete_model if mirrored is not None else None
            hits = set()
            for field in model._meta.get_fields():
                if (
                    getattr(field, "concrete", False) and field.is_relation and field.many_to_one
                ) or (getattr(field, "concrete", False) and field.is_relation and field.one_to_one):
                    target = field.related_model._meta.concrete_model
                    if owned[target]:
                        hits |= set(
                            manager.filter(**{f"{field.attname}__in": owned[target]}).values_list(
                                "pk", flat=True
                            )
                        )
                elif isinstance(field, GenericForeignKey):
                    for pk, ct, object_id in manager.values_list(
                        "pk", field.ct_field + "_id", field.fk_field
                    ):
                        target = content_types.get(ct)
                        if (
                            target is not None
                            and object_id is not None
                            and (
                                str(object_id)
                                in {str(v) for v in owned[target._meta.concrete_model]}
                            )
                        ):
                            hits.add(pk)
                elif getattr(field, "concrete", False) and not field.is_relation:
                    name = field.column
                    if name.endswith("_id") and not field.primary_key:
                        target = _model_named(name[: -len("_id")])
                        if target is not None and owned[target]:
                            hits |= set(
                                manager.filter(**{f"{name}__in": owned[target]}).values_list(
                                    "pk", flat=True
                                )
                            )
            if mirrored is not None and owned[mirrored]:
                hits |= set(manager.filter(id__in=owned[mirrored]).values_list("pk", flat=True))
            if model is LogEntry:
                for pk, content_type_id, object_id in manager.values_list(
                    "pk", "content_type_id", "object_id"
                ):
                    target = content_types.get(content_type_id)
                    if target is not None and object_id in {str(v) for v in owned[target]}:
                        hits.add(pk)
            if model._meta.label_lower == "audit.chainlink":
                for pk, label, object_id in manager.values_list("pk", "model", "object_id"):
                    target = apps.get_model(label)._meta.concrete_model
                    if object_id in owned[target]:
                        hits.add(pk)
            new = hits - owned[model]
            if new:
                owned[model] |= new
                changed = True
            if mirrored is not None:
                ids = set(manager.filter(pk__in=owned[model]).values_list("id", flat=True))
                if ids - owned[mirrored]:
                    owned[mirrored] |= ids
                    changed = True
    # Ids of objects deleted since were followed (their history refers to the client), but only
    # rows that exist are rows of the database.
    existing = {
        model._meta.label_lower: set(
            model._base_manager.filter(pk__in=ids).values_list("pk", flat=True)
        )
        for model, ids in owned.items()
    }
    return {label: ids for label, ids in existing.items() if ids}
