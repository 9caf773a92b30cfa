"""Erasure and restriction requests: recorded by a social worker or supervisor, decided by a
supervisor who did not record them; a restriction freezes the case for every casework service
until it is lifted."""

import pytest

from casework import services
from casework.journey import Stage
from casework.models import GoalArea, SessionFormat, SessionKind
from community import services as community_services
from community.models import EventKind
from kernel.errors import GuardFailed, InvalidInput, NotAllowed
from notifications.events import Event
from notifications.models import Notification
from privacy import services as privacy_services
from privacy.models import Purpose, RightsRequest, RightsRequestKind, RightsRequestStatus

from ..journey import TODAY, to_stage

RESTRICTED = "Processing of this case is restricted"


def _record(world, case, kind=RightsRequestKind.RESTRICTION, user=None):
    return privacy_services.rights_request_record(
        user=user or world.worker, case=case, kind=kind, received_on=TODAY, details="By letter"
    )


def _restricted(world, case):
    request = _record(world, case)
    return privacy_services.rights_request_decide(
        user=world.supervisor, request=request, approve=True, note="Accuracy contested"
    )


@pytest.mark.django_db
def test_a_recorded_request_waits_for_a_supervisors_decision_with_its_history(world, case):
    request = _record(world, case)

    assert request.status == RightsRequestStatus.PENDING
    row = request.history.get()
    assert (row.history_user, row.history_change_reason) == (
        world.worker,
        "rights.record_restriction",
    )


@pytest.mark.django_db
def test_the_organisations_other_supervisors_are_told_after_commit(
    world, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        privacy_services.rights_request_record(
            user=world.supervisor,
            case=case,
            kind=RightsRequestKind.ERASURE,
            received_on=TODAY,
            supervisors=[world.supervisor, world.supervisor2],
        )

    told = Notification.objects.filter(event=Event.RIGHTS_REQUESTED)
    assert [n.recipient for n in told] == [world.supervisor2]
    assert case.number in told.get().title
    assert callbacks


@pytest.mark.django_db
def test_four_eyes_the_supervisor_who_recorded_a_request_cannot_decide_it(world, case):
    request = _record(world, case, user=world.supervisor)

    with pytest.raises(NotAllowed, match="Four eyes"):
        privacy_services.rights_request_decide(user=world.supervisor, request=request, approve=True)
    decided = privacy_services.rights_request_decide(
        user=world.supervisor2, request=request, approve=True
    )
    assert (decided.status, decided.decided_by) == (RightsRequestStatus.IN_FORCE, world.supervisor2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "may_record", "may_decide"),
    [
        ("worker", True, False),
        ("supervisor2", True, True),
        ("mentor", False, False),
        ("admin", False, False),
    ],
)
def test_who_may_record_and_who_may_decide(world, case, who, may_record, may_decide):
    user = getattr(world, who)
    if may_record:
        _record(world, case, kind=RightsRequestKind.ERASURE, user=user)
    else:
        with pytest.raises(NotAllowed):
            _record(world, case, kind=RightsRequestKind.ERASURE, user=user)
    request = _record(world, case, user=world.supervisor)
    if may_decide:
        privacy_services.rights_request_decide(user=user, request=request, approve=False, note="n")
    else:
        with pytest.raises(NotAllowed):
            privacy_services.rights_request_decide(user=user, request=request, approve=True)


@pytest.mark.django_db
def test_a_rejection_needs_a_note_and_a_second_open_request_is_refused(world, case):
    request = _record(world, case)
    with pytest.raises(GuardFailed, match="already open"):
        _record(world, case)
    with pytest.raises(InvalidInput):
        privacy_services.rights_request_decide(
            user=world.supervisor, request=request, approve=False
        )

    rejected = privacy_services.rights_request_decide(
        user=world.supervisor, request=request, approve=False, note="Not the client's signature"
    )
    assert rejected.status == RightsRequestStatus.REJECTED


@pytest.mark.django_db
def test_erasure_is_refused_while_a_case_of_the_client_is_open(world, case):
    request = _record(world, case, kind=RightsRequestKind.ERASURE)

    with pytest.raises(GuardFailed, match=case.number.replace("/", ".")):
        privacy_services.rights_request_decide(user=world.supervisor, request=request, approve=True)
    assert RightsRequest.objects.get(pk=request.pk).status == RightsRequestStatus.PENDING


def _every_kind_of_write(world, case):
    """One call of each kind of casework write on ``case`` (and its client)."""
    event = community_services.event_create(
        user=world.worker,
        programme_id=world.programme.pk,
        kind=EventKind.FORUM,
        title="Forum",
        settlement="Ózd",
        held_on=TODAY,
    )
    return {
        "event_attendance": lambda: community_services.event_record_attendance(
            user=world.worker, event_id=event.pk, client_ids=[case.client_id], guests=[]
        ),
        "consent": lambda: services.case_record_consent(
            user=world.worker, case_id=case.pk, given_on=TODAY
        ),
        "assign_mentor": lambda: services.case_assign_mentor(
            user=world.worker, case_id=case.pk, mentor_id=world.mentor2.pk
        ),
        "suspend": lambda: services.case_suspend(user=world.worker, case_id=case.pk, reason="ill"),
        "close": lambda: services.case_close_early(
            user=world.worker, case_id=case.pk, outcome="other", reason="moved"
        ),
        "goal": lambda: services.goal_add(
            user=world.mentor, case_id=case.pk, area=GoalArea.HOUSING, description="Flat"
        ),
        "session": lambda: services.session_record(
            user=world.mentor,
            kind=SessionKind.COUNSELLING,
            format=SessionFormat.INDIVIDUAL,
            topic="Talk",
            held_on=TODAY,
            attendance={case.pk: True},
        ),
        "referral": lambda: services.referral_create(
            user=world.worker, case_id=case.pk, partner_id=world.labour_office.pk, purpose="Jobs"
        ),
        "client": lambda: services.client_update(
            user=world.worker, client_id=case.client_id, data={"phone": "+36 1"}
        ),
        "privacy_consent": lambda: privacy_services.consent_record(
            user=world.worker, case=case, purpose=Purpose.EVENT_PHOTOS, given_on=TODAY
        ),
    }


@pytest.mark.django_db
def test_a_restriction_in_force_freezes_the_case_for_every_service_until_lifted(world, case):
    case = to_stage(case, world, Stage.PLANNING)
    writes = _every_kind_of_write(world, case)
    restriction = _restricted(world, case)
    history_rows = case.history.count()

    for name, write in writes.items():
        with pytest.raises(GuardFailed, match=RESTRICTED + "|restricted at their request"):
            write()
        assert case.history.count() == history_rows, name

    lifted = privacy_services.rights_request_lift(
        user=world.supervisor, request=restriction, note="Data corrected"
    )
    assert (lifted.status, lifted.lifted_by) == (RightsRequestStatus.LIFTED, world.supervisor)
    assert lifted.history.latest("history_id").history_change_reason == "rights.lift"
    writes["goal"]()
    writes["client"]()
    writes["event_attendance"]()
