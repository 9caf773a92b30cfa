"""What an erasure empties is read from the record of processing, so a new model is covered by
describing it there. These tests keep that description honest for the models an erasure reaches:
special-category data and free texts about the client are erased with the client (``committed``)
unless kept on purpose, as listed here with the reason."""

from django.apps import apps
from django.db import models

from privacy import registry

# Special-category fields an erasure keeps: a screening done or declined, its date and the
# office it was referred to say nothing that identifies the person once the name is gone, and
# the funder counts them (ESF+ aggregates).
KEPT_SPECIAL = {
    "casework.healthscreening": {"status", "screened_on", "referred_to"},
}


def _history_tracked(label: str) -> bool:
    model = apps.get_model(label)
    return hasattr(model._meta, "simple_history_manager_attribute")


def test_every_special_category_field_is_erased_with_the_client_unless_kept_on_purpose():
    not_erased = sorted(
        f"{label}.{name}"
        for label, fields in registry.PERSONAL.items()
        for name, field in fields.items()
        if field.special and not field.committed and name not in KEPT_SPECIAL.get(label, set())
    )
    assert not_erased == [], (
        "mark these committed=True in privacy/registry.py (erased with the client), or list "
        "them in KEPT_SPECIAL with the reason: " + ", ".join(not_erased)
    )


def test_every_free_text_about_the_client_in_a_tracked_model_is_erased_with_the_client():
    # A TextField in the client's file holds whatever a user typed, the client's name included.
    client_file = {registry.CLIENT_FILE, registry.EVENTS, registry.SUBJECT_RIGHTS}
    missed = sorted(
        f"{label}.{name}"
        for label, fields in registry.PERSONAL.items()
        for name, field in fields.items()
        if field.processing in client_file
        and _history_tracked(label)
        and isinstance(apps.get_model(label)._meta.get_field(name), models.TextField)
        and not field.committed
    )
    assert missed == [], "mark these committed=True in privacy/registry.py: " + ", ".join(missed)
