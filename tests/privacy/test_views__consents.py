"""The consent section of the case page: record and withdraw through the privacy services."""

import pytest

from privacy.models import Consent, Purpose

from ..journey import TODAY


@pytest.mark.django_db
def test_the_social_worker_records_and_withdraws_a_sharing_consent_on_the_case_page(
    world, case, client
):
    client.force_login(world.worker)
    assert "Consents" in client.get(case.get_absolute_url()).content.decode()
    response = client.post(
        f"/privacy/cases/{case.pk}/consents/",
        {
            "purpose": Purpose.PARTNER_SHARING,
            "partner": world.labour_office.pk,
            "given_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(case=case)
    assert (consent.partner, consent.recorded_by) == (world.labour_office, world.worker)
    assert "Labour office" in client.get(case.get_absolute_url()).content.decode()
    client.post(
        f"/privacy/cases/{case.pk}/consents/{consent.pk}/withdraw/",
        {"withdrawn_on": TODAY.isoformat()},
    )
    consent.refresh_from_db()
    assert consent.withdrawn_by == world.worker


@pytest.mark.django_db
def test_a_mentor_cannot_record_a_consent_and_a_case_out_of_scope_answers_404(world, case, client):
    data = {"purpose": Purpose.SERVICE, "given_on": TODAY.isoformat()}
    client.force_login(world.mentor)
    client.post(f"/privacy/cases/{case.pk}/consents/", data)
    assert not Consent.objects.exists()
    client.force_login(world.other_worker)
    assert client.post(f"/privacy/cases/{case.pk}/consents/", data).status_code == 404
    assert not Consent.objects.exists()
