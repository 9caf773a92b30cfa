"""Break-glass: a user outside a case's scope opens it only by stating a reason; the access lasts
24 hours, is for reading, is recorded and tells the case's supervisors after commit."""

import datetime

import pytest
from django.utils import timezone

from casework import selectors, services
from kernel.errors import GuardFailed, InvalidInput, NotAllowed, NotFound
from notifications.events import Event
from notifications.models import Notification
from privacy import services as privacy_services
from privacy.models import BreakGlassGrant

from ..journey import TODAY

REASON = "Client phoned in crisis, her social worker is on leave"


def _open(world, case, user=None, reason=REASON):
    return services.case_break_glass(
        user=user or world.other_worker, number=case.number, reason=reason
    )


def _shift_clock(monkeypatch, by: datetime.timedelta) -> None:
    moment = timezone.now() + by
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.mark.django_db
def test_without_a_grant_a_case_outside_the_scope_is_not_found(world, case):
    with pytest.raises(NotFound):
        selectors.case_get(user=world.other_worker, case_id=case.pk)


@pytest.mark.django_db
def test_stating_a_reason_opens_the_case_for_24_hours_and_tells_its_supervisors_after_commit(
    world, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        grant = _open(world, case)

    assert selectors.case_get(user=world.other_worker, case_id=case.pk) == case
    assert (grant.user, grant.reason) == (world.other_worker, REASON)
    assert grant.expires_at - grant.granted_at == datetime.timedelta(hours=24)
    row = grant.history.get()
    assert (row.history_user, row.history_change_reason) == (world.other_worker, "break_glass.open")
    told = Notification.objects.filter(event=Event.BREAK_GLASS)
    assert {n.recipient for n in told} == {world.supervisor, world.supervisor2}
    assert all(case.number in n.title and "break-glass" in n.title for n in told)
    assert callbacks, "the notifications are pushed after commit"


@pytest.mark.django_db
def test_a_refused_opening_writes_nothing_and_tells_no_one(
    world, case, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(InvalidInput),
    ):
        _open(world, case, reason="   urgent ")

    assert not BreakGlassGrant.objects.exists()
    assert not Notification.objects.filter(event=Event.BREAK_GLASS).exists()
    assert callbacks == []


@pytest.mark.django_db
def test_the_access_ends_after_24_hours(world, case, monkeypatch):
    _open(world, case)
    _shift_clock(monkeypatch, datetime.timedelta(hours=24, minutes=1))

    with pytest.raises(NotFound):
        selectors.case_get(user=world.other_worker, case_id=case.pk)


@pytest.mark.django_db
def test_break_glass_opens_for_reading_not_for_working_on_the_case(world, case):
    _open(world, case)

    with pytest.raises(NotFound):
        services.case_record_consent(user=world.other_worker, case_id=case.pk, given_on=TODAY)
    with pytest.raises(NotFound):
        services.client_update(
            user=world.other_worker, client_id=case.client_id, data={"phone": "+36 1"}
        )
    assert selectors.client_get(user=world.other_worker, client_id=case.client_id)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_mentor", "admin"])
def test_mentors_and_programme_admins_cannot_break_glass(world, case, who):
    # A mentor needing a case has it assigned; a programme admin never reads client files.
    with pytest.raises(NotFound):
        _open(world, case, user=getattr(world, who))
    assert not BreakGlassGrant.objects.exists()


@pytest.mark.django_db
def test_an_unknown_number_and_a_case_already_in_scope_are_not_opened(world, case):
    with pytest.raises(NotFound):
        services.case_break_glass(user=world.other_worker, number="NOPE/0001", reason=REASON)
    with pytest.raises(NotFound):
        _open(world, case, user=world.worker)
    assert not BreakGlassGrant.objects.exists()


@pytest.mark.django_db
def test_a_supervisor_of_the_case_marks_the_access_reviewed_with_a_note(world, case):
    grant = _open(world, case)

    reviewed = privacy_services.break_glass_review(
        user=world.supervisor, grant=grant, note="Called the worker: justified"
    )

    assert (reviewed.reviewed_by, reviewed.review_note) == (
        world.supervisor,
        "Called the worker: justified",
    )
    row = reviewed.history.latest("history_id")
    assert (row.history_user, row.history_change_reason) == (world.supervisor, "break_glass.review")
    with pytest.raises(GuardFailed):
        privacy_services.break_glass_review(user=world.supervisor2, grant=grant, note="again")


@pytest.mark.django_db
def test_a_review_needs_the_supervisor_role_and_a_note(world, case):
    grant = _open(world, case)

    with pytest.raises(NotAllowed):
        privacy_services.break_glass_review(user=world.worker, grant=grant, note="fine")
    with pytest.raises(InvalidInput):
        privacy_services.break_glass_review(user=world.supervisor, grant=grant, note="  ")
    grant.refresh_from_db()
    assert grant.reviewed_at is None


@pytest.mark.django_db
def test_the_scope_lists_the_own_cases_and_the_opened_one_but_no_other(world, case):
    """The grants join the scope as ``= ANY(ARRAY(...))`` on PostgreSQL, an index lookup
    beside the organisation's range rather than a filter on every case row."""
    from django.db import connection

    from casework.models import Case

    own = set(selectors.cases_visible_to(world.other_worker).values_list("pk", flat=True))
    assert case.pk not in own
    _open(world, case)
    scoped = selectors.cases_visible_to(world.other_worker)
    assert set(scoped.values_list("pk", flat=True)) == own | {case.pk}
    assert Case.objects.exclude(pk__in=own | {case.pk}).exists() or not own
    if connection.vendor == "postgresql":
        assert "= ANY(ARRAY(SELECT" in str(scoped.query)
