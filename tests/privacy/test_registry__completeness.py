"""The record of processing decides about every field of every model, and the audit chain takes
its committed personal fields from it."""

import pytest
from django.apps import apps
from django.db import models

from audit import registry as audit_registry
from privacy import registry


def _fields_of(model) -> set[str]:
    return {
        field.name
        for field in model._meta.get_fields()
        if (field.concrete or field.many_to_many)
        and not field.auto_created
        and not isinstance(field, models.AutoField)  # a generated id says nothing
    }


def _models():
    # History tables mirror their model (its entry covers them), so they are not listed apart.
    return [m for m in apps.get_models() if not hasattr(m, "instance_type")]


def test_every_field_of_every_model_is_described_as_personal_or_named_not_personal():
    undecided = []
    for model in _models():
        label = model._meta.label_lower
        decided = set(registry.PERSONAL.get(label, {})) | set(registry.NOT_PERSONAL.get(label, ()))
        undecided += [f"{label}.{name}" for name in sorted(_fields_of(model) - decided)]
    assert undecided == [], "describe these in privacy/registry.py: " + ", ".join(undecided)


def test_no_field_is_both_personal_and_not_personal_and_every_listed_field_exists():
    for label in set(registry.PERSONAL) | set(registry.NOT_PERSONAL):
        personal = set(registry.PERSONAL.get(label, {}))
        other = set(registry.NOT_PERSONAL.get(label, ()))
        assert not personal & other, label
        assert personal | other <= _fields_of(apps.get_model(label)), label


def test_the_audit_chain_commits_exactly_the_fields_it_committed_before_the_registry():
    # Changing this set changes the digests of new chain links: do it on purpose only.
    assert audit_registry.PERSONAL_FIELDS == {
        "casework.client": (
            "family_name",
            "given_name",
            "birth_year",
            "gender",
            "settlement",
            "phone",
            "labour_market_status",
            "education_level",
            "household",
            # ESF+ entry data (issue 11): committed from their first link on.
            "birth_date",
            "unemployed_since",
            "third_country_national",
            "foreign_origin",
            "housing_exclusion",
            "target_groups",
        ),
        "casework.entryrecord": (
            "gender",
            "birth_date",
            "birth_year",
            "age",
            "age_band",
            "labour_status",
            "unemployed_since",
            "long_term_unemployed",
            "education",
            "third_country_national",
            "foreign_origin",
            "housing_exclusion",
            "settlement",
            "rural",
        ),
        "casework.case": ("closure_reason",),
        "casework.developmentplan": ("summary", "review_comment"),
        "casework.goal": ("description",),
        "casework.placement": ("employer",),
        "casework.followup": ("notes",),
        "casework.referral": ("purpose", "answer"),
        "audit.reviewsignoff": ("note",),
        "privacy.specialcategoryrecord": ("answer", "minority", "note", "correction_reason"),
        # Free texts of break-glass and of the client's requests: erased with the client.
        "privacy.breakglassgrant": ("reason", "review_note"),
        "privacy.rightsrequest": ("details", "decision_note"),
        # Not a tracked model (no chain): listed so the erasure empties it with the client.
        "admin.logentry": ("object_repr", "change_message"),
    }


def test_special_category_fields_are_marked():
    special = registry.special_category_fields()
    assert special["casework.client"] == ("target_groups",)
    assert set(special["privacy.specialcategoryrecord"]) == {
        "answer",
        "minority",
        "note",
        "correction_reason",
    }
    assert "status" in special["casework.healthscreening"]


def test_the_csv_has_one_row_per_personal_field():
    lines = registry.as_csv().strip().splitlines()
    assert lines[0].startswith("model,field,category")
    assert len(lines) - 1 == sum(len(fields) for fields in registry.PERSONAL.values())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "status"),
    [("supervisor", 200), ("admin", 200), ("worker", 403), ("mentor", 403)],
)
def test_only_supervisors_and_programme_admins_see_the_record_of_processing(
    world, client, username, status
):
    client.force_login(getattr(world, username))
    page = client.get("/privacy/processing/")
    assert page.status_code == status
    download = client.get("/privacy/processing.csv")
    assert download.status_code == status
    if status == 200:
        assert "casework.client" in page.content.decode()
        assert download.content.decode() == registry.as_csv()
