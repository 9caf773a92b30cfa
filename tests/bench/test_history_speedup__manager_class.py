"""``kernel.compat.simple_history_speedup``: simple-history's manager class is built once, and
history keeps working exactly as before."""

import pytest
from simple_history.manager import HistoryDescriptor

from casework.journey import Stage
from casework.models import Case, Client
from kernel.compat import simple_history_speedup as history_speedup


@pytest.fixture
def released_behaviour():
    """Run a test with simple-history's own descriptor, and put the speed-up back after."""
    history_speedup.uninstall()
    yield
    history_speedup.install()


def test_the_app_installs_the_speedup_when_django_starts():
    assert history_speedup.installed()


def test_every_access_reuses_one_manager_class_per_model():
    assert type(Case.history) is type(Case.history)
    assert type(Client.history) is type(Client.history)
    assert type(Case.history) is not type(Client.history)


def test_released_simple_history_builds_a_class_per_access(released_behaviour):
    assert type(Case.history) is not type(Case.history)


def test_each_access_still_gets_a_manager_bound_to_its_own_instance():
    first, second = Case(pk=1), Case(pk=2)
    assert first.history.instance is first
    assert second.history.instance is second
    assert Case.history.instance is None


def test_a_descriptor_whose_classes_change_is_not_served_a_stale_class():
    descriptor = Case.__dict__["history"]
    assert isinstance(descriptor, HistoryDescriptor)
    original = descriptor.manager_class

    class OtherManager(original):
        pass

    descriptor.manager_class = OtherManager
    try:
        assert isinstance(Case.history, OtherManager)
    finally:
        descriptor.manager_class = original
    assert not isinstance(Case.history, OtherManager)


def test_install_and_uninstall_are_idempotent():
    history_speedup.install()
    history_speedup.install()
    assert history_speedup.installed()
    history_speedup.uninstall()
    history_speedup.uninstall()
    assert not history_speedup.installed()
    history_speedup.install()
    assert history_speedup.installed()


@pytest.mark.django_db
def test_services_still_write_history_rows_with_user_and_reason(world, case):
    from casework import services

    from ..casework.support import latest_history
    from ..journey import TODAY

    services.case_record_consent(user=world.worker, case_id=case.pk, given_on=TODAY)
    row = latest_history(case)
    assert row.history_user == world.worker
    assert row.history_change_reason == "case.record_consent"
    assert row.stage == Stage.INTAKE
    assert case.history.count() == 2


# --- the prepared INSERT of a new history row --------------------------------------------------


def _history_columns(row) -> dict:
    return {
        field.attname: getattr(row, field.attname)
        for field in type(row)._meta.concrete_fields
        if not field.primary_key
    }


@pytest.mark.django_db
def test_a_history_row_through_the_prepared_insert_equals_the_one_django_would_write(world, case):
    from django.db import models
    from django.utils import timezone

    history_model = type(case.history.first())
    attrs = {field.attname: getattr(case, field.attname) for field in Case._meta.concrete_fields}
    at = timezone.now()

    def row():
        return history_model(
            history_date=at,
            history_type="~",
            history_user_id=world.worker.pk,
            history_change_reason="test.compare",
            **attrs,
        )

    fast, plain = row(), row()
    fast.save()
    models.Model.save(plain)
    assert fast.pk is not None and fast.pk != plain.pk
    assert not fast._state.adding and fast._state.db == "default"
    stored = history_model.objects.get(pk=fast.pk)
    assert _history_columns(stored) == _history_columns(history_model.objects.get(pk=plain.pk))
    assert _history_columns(stored) == _history_columns(fast)


@pytest.mark.django_db
def test_every_tracked_save_still_writes_its_row_and_sends_both_signals(world, case):
    from simple_history.signals import (
        post_create_historical_record,
        pre_create_historical_record,
    )

    seen = []

    def pre(sender, history_instance, **kwargs):
        seen.append(("pre", history_instance.pk))

    def post(sender, history_instance, **kwargs):
        seen.append(("post", history_instance.pk))

    pre_create_historical_record.connect(pre)
    post_create_historical_record.connect(post)
    try:
        case.closure_reason = "changed"
        case._history_user = world.supervisor
        case._change_reason = "test.save"
        case.save()
    finally:
        pre_create_historical_record.disconnect(pre)
        post_create_historical_record.disconnect(post)
    newest = case.history.order_by("-history_id").first()
    assert (newest.closure_reason, newest.history_user, newest.history_change_reason) == (
        "changed",
        world.supervisor,
        "test.save",
    )
    # The receivers of the post signal (the audit chain) get the row with its key.
    assert seen == [("pre", None), ("post", newest.pk)]


@pytest.mark.django_db
def test_an_existing_history_row_is_updated_by_django_as_before(case):
    row = case.history.first()
    row.history_change_reason = "corrected"
    row.save()
    assert case.history.get(pk=row.pk).history_change_reason == "corrected"
    assert case.history.count() == 1


def test_uninstall_restores_django_s_save_for_history_rows(released_behaviour):
    from simple_history.models import HistoricalChanges

    assert "save" not in vars(HistoricalChanges)
    assert not history_speedup.installed()
