"""``casework.history_speedup``: simple-history's manager class is built once, and history keeps
working exactly as before."""

import pytest
from simple_history.manager import HistoryDescriptor

from casework import history_speedup
from casework.journey import Stage
from casework.models import Case, Client


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
