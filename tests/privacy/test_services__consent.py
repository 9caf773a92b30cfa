"""Consent per purpose: what needs a consent is blocked without it, allowed with it, and blocked
again once it is withdrawn or has expired."""

import datetime

import pytest

import privacy
from casework import services
from casework.journey import Stage
from kernel.errors import GuardFailed, InvalidInput, NotAllowed
from notifications.events import Event
from notifications.models import Notification
from privacy import selectors as privacy_selectors
from privacy import services as privacy_services
from privacy.models import Consent, Purpose

from ..factories import OrganisationFactory
from ..journey import TODAY

YESTERDAY = TODAY - datetime.timedelta(days=1)
PURPOSES_WITHOUT_PARTNER = [Purpose.SERVICE, Purpose.ESF_REPORTING, Purpose.EVENT_PHOTOS]


def record(world, case, purpose, *, partner=None, given_on=YESTERDAY, expires_on=None):
    return privacy_services.consent_record(
        user=world.worker,
        case=case,
        purpose=purpose,
        partner=partner,
        given_on=given_on,
        expires_on=expires_on,
    )


def withdraw(world, case, consent, *, user=None):
    return privacy_services.consent_withdraw(
        user=user or world.worker, case=case, consent_id=consent.pk, withdrawn_on=TODAY
    )


def blocked(case, purpose, partner=None) -> bool:
    try:
        privacy.require_consent(case, purpose, partner=partner)
    except GuardFailed as error:
        assert error.details == [privacy.missing_consent_message(purpose, partner)]
        return True
    return False


@pytest.mark.django_db
@pytest.mark.parametrize("purpose", PURPOSES_WITHOUT_PARTNER)
def test_each_purpose_is_blocked_without_allowed_with_and_blocked_after_withdrawal(
    world, case, purpose
):
    assert blocked(case, purpose)
    consent = record(world, case, purpose)
    assert not blocked(case, purpose)
    withdraw(world, case, consent)
    assert blocked(case, purpose)


@pytest.mark.django_db
@pytest.mark.parametrize("purpose", PURPOSES_WITHOUT_PARTNER)
def test_each_purpose_is_blocked_again_once_its_consent_has_expired(world, case, purpose):
    record(world, case, purpose, given_on=TODAY - datetime.timedelta(days=400), expires_on=TODAY)
    assert blocked(case, purpose)


@pytest.mark.django_db
def test_sharing_consent_is_per_partner_office(world, case):
    record(world, case, Purpose.PARTNER_SHARING, partner=world.labour_office)
    assert not blocked(case, Purpose.PARTNER_SHARING, world.labour_office)
    assert blocked(case, Purpose.PARTNER_SHARING, world.health_office)


@pytest.mark.django_db
def test_a_referral_without_the_sharing_consent_for_that_office_is_refused_and_names_it(world):
    from ..conftest import new_client

    client = new_client(world)
    case = services.case_open(
        user=world.worker, client_id=client.pk, programme_id=world.programme.pk
    )
    services.case_record_consent(user=world.worker, case_id=case.pk, given_on=TODAY)
    services.case_assign_mentor(user=world.worker, case_id=case.pk, mentor_id=world.mentor.pk)
    services.case_advance(user=world.worker, case_id=case.pk, from_stage=Stage.INTAKE)

    def refer():
        return services.referral_create(
            user=world.worker, case_id=case.pk, partner_id=world.labour_office.pk, purpose="Job"
        )

    with pytest.raises(GuardFailed) as refused:
        refer()
    assert "Labour office" in str(refused.value)
    assert not case.referrals.exists()
    sharing = record(world, case, Purpose.PARTNER_SHARING, partner=world.labour_office)
    assert refer().partner == world.labour_office
    withdraw(world, case, sharing)
    with pytest.raises(GuardFailed):
        refer()


@pytest.mark.django_db
def test_intake_needs_the_service_consent_in_force_and_withdrawal_blocks_it_again(world, case):
    services.case_record_consent(user=world.worker, case_id=case.pk, given_on=TODAY)
    services.case_assign_mentor(user=world.worker, case_id=case.pk, mentor_id=world.mentor.pk)
    service = Consent.objects.get(case=case, purpose=Purpose.SERVICE)
    withdraw(world, case, service)
    with pytest.raises(GuardFailed) as refused:
        services.case_advance(user=world.worker, case_id=case.pk, from_stage=Stage.INTAKE)
    assert refused.value.details == ["Record the client's consent to data processing."]
    record(world, case, Purpose.SERVICE, given_on=TODAY)
    advanced = services.case_advance(user=world.worker, case_id=case.pk, from_stage=Stage.INTAKE)
    assert advanced.stage == Stage.PLANNING


@pytest.mark.django_db
def test_every_consent_save_has_the_acting_user_and_a_reason_on_its_history_row(world, case):
    consent = record(world, case, Purpose.EVENT_PHOTOS)
    withdraw(world, case, consent, user=world.supervisor)
    rows = list(consent.history.order_by("history_id"))
    assert [(r.history_user, r.history_change_reason) for r in rows] == [
        (world.worker, "consent.record"),
        (world.supervisor, "consent.withdraw"),
    ]
    assert rows[-1].withdrawn_by == world.supervisor


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    [
        {"purpose": "marketing"},
        {"given_on": TODAY + datetime.timedelta(days=1)},
        {"given_on": "yesterday"},
        {"expires_on": YESTERDAY - datetime.timedelta(days=1)},
        {"purpose": Purpose.PARTNER_SHARING},
        {"purpose": Purpose.SERVICE, "partner": "labour_office"},
        {"purpose": Purpose.PARTNER_SHARING, "partner": "outside the programme"},
    ],
)
def test_bad_input_writes_nothing(world, case, bad):
    kwargs = {"purpose": Purpose.SERVICE, "given_on": YESTERDAY, **bad}
    if kwargs.get("partner") == "outside the programme":
        kwargs["partner"] = OrganisationFactory(name="Office of another programme")
    elif isinstance(kwargs.get("partner"), str):
        kwargs["partner"] = getattr(world, kwargs["partner"])
    with pytest.raises(InvalidInput):
        privacy_services.consent_record(user=world.worker, case=case, **kwargs)
    assert not Consent.objects.exists()
    assert not Consent.history.exists()


@pytest.mark.django_db
def test_a_consent_cannot_be_withdrawn_twice(world, case):
    consent = record(world, case, Purpose.ESF_REPORTING)
    withdraw(world, case, consent)
    with pytest.raises(GuardFailed):
        withdraw(world, case, consent)
    assert consent.history.count() == 2


@pytest.mark.django_db
def test_withdrawing_sharing_tells_the_social_worker_after_commit_only(
    world, case, django_capture_on_commit_callbacks
):
    consent = record(world, case, Purpose.PARTNER_SHARING, partner=world.labour_office)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        withdraw(world, case, consent, user=world.supervisor)
    assert callbacks, "the push waits for the commit"
    note = Notification.objects.get(event=Event.CONSENT_WITHDRAWN_TELL_PARTNER)
    assert note.recipient == world.worker
    assert "Labour office" in note.title


@pytest.mark.django_db
def test_a_rolled_back_withdrawal_notifies_no_one(world, case, django_capture_on_commit_callbacks):
    from django.db import transaction

    consent = record(world, case, Purpose.PARTNER_SHARING, partner=world.labour_office)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        withdraw(world, case, consent)
        raise RuntimeError("the caller fails after the withdrawal")
    assert callbacks == []
    assert not Notification.objects.filter(event__startswith="consent_").exists()
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


@pytest.mark.django_db
def test_consents_expiring_within_30_days_are_listed_for_the_cases_in_scope(world, case):
    soon = record(world, case, Purpose.EVENT_PHOTOS, expires_on=TODAY + datetime.timedelta(days=20))
    record(world, case, Purpose.ESF_REPORTING, expires_on=TODAY + datetime.timedelta(days=90))
    from casework.selectors import cases_visible_to

    assert list(privacy_selectors.consents_expiring(cases=cases_visible_to(world.worker))) == [soon]
    assert not privacy_selectors.consents_expiring(cases=cases_visible_to(world.other_worker))


ROLE_CELLS = {
    # user: (may record, may withdraw)
    "worker": (True, True),
    "supervisor": (True, True),
    "mentor": (False, False),
    "admin": (False, False),
}


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(ROLE_CELLS))
def test_each_role_may_record_and_withdraw_consent_exactly_as_the_table_says(world, case, username):
    user = getattr(world, username)
    may_record, may_withdraw = ROLE_CELLS[username]
    assert user.has_perm("privacy.record_consent") is may_record
    assert user.has_perm("privacy.withdraw_consent") is may_withdraw

    def do_record():
        return privacy_services.consent_record(
            user=user, case=case, purpose=Purpose.EVENT_PHOTOS, given_on=YESTERDAY
        )

    if may_record:
        do_record()
    else:
        with pytest.raises(NotAllowed):
            do_record()
    consent = record(world, case, Purpose.ESF_REPORTING)
    if may_withdraw:
        withdraw(world, case, consent, user=user)
    else:
        with pytest.raises(NotAllowed):
            withdraw(world, case, consent, user=user)
        consent.refresh_from_db()
        assert consent.withdrawn_on is None


@pytest.mark.django_db
def test_the_social_workers_home_page_lists_the_consents_about_to_expire(world, case, client):
    record(world, case, Purpose.EVENT_PHOTOS, expires_on=TODAY + datetime.timedelta(days=10))
    client.force_login(world.worker)
    page = client.get("/").content.decode()
    assert "Consents expiring within 30 days" in page
    assert case.number in page
    client.force_login(world.mentor)
    assert "Consents expiring within 30 days" not in client.get("/").content.decode()
