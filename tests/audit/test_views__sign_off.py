"""A supervisor signs off the review of a case; the timeline then marks what changed since,
and the sign-off is itself in the history."""

import re

import pytest
from django.urls import reverse

from audit import selectors, verify
from audit.models import ReviewSignOff
from casework import services
from casework.journey import Stage
from tests.journey import to_stage


def timeline(client, case, query=""):
    response = client.get(reverse("audit:case_timeline", args=[case.pk]) + query)
    assert response.status_code == 200
    return response


def seen_up_to(response) -> int:
    return int(re.search(r'name="seen_up_to" value="(\d+)"', response.content.decode())[1])


def sign_off(client, case, **data):
    return client.post(reverse("audit:sign_off", args=[case.pk]), data)


@pytest.fixture
def reviewed(world, case, client):
    """A case in training whose trail the supervisor has just signed off."""
    to_stage(case, world, Stage.TRAINING)
    client.force_login(world.supervisor)
    page = timeline(client, case)
    response = sign_off(client, case, seen_up_to=seen_up_to(page), note="All in order")
    assert response.status_code == 302
    return case


@pytest.mark.django_db
def test_signing_off_marks_later_changes_as_new_since_the_review(reviewed, world, client):
    services.referral_create(
        user=world.mentor, case_id=reviewed.pk, partner_id=world.labour_office.pk, purpose="CV"
    )
    services.client_update(user=world.worker, client_id=reviewed.client_id, data={"phone": "9"})

    entries = selectors.timeline(
        user=world.supervisor,
        case=reviewed,
        review=selectors.last_sign_off(case=reviewed, user=world.supervisor),
    ).entries

    new = {(e.record_type, e.reason_code) for e in entries if e.new_since_review}
    assert new == {("referral", "referral.create"), ("client", "client.update")}
    page = timeline(client, reviewed).content.decode()
    assert "2 changes since then" in page
    assert page.count("new since your review") == 2


@pytest.mark.django_db
def test_the_since_filter_shows_only_what_changed_after_the_sign_off(reviewed, world, client):
    services.referral_create(
        user=world.mentor, case_id=reviewed.pk, partner_id=world.labour_office.pk, purpose="CV"
    )

    page = timeline(client, reviewed, "?since_review=on").content.decode()

    assert page.count('data-record-type="') == 1
    assert 'data-record-type="referral"' in page


@pytest.mark.django_db
def test_a_change_after_the_page_was_read_stays_new_after_the_sign_off(world, case, client):
    to_stage(case, world, Stage.TRAINING)
    client.force_login(world.supervisor)
    page = timeline(client, case)
    # The mentor records something while the supervisor is reading.
    services.referral_create(
        user=world.mentor, case_id=case.pk, partner_id=world.labour_office.pk, purpose="CV"
    )

    sign_off(client, case, seen_up_to=seen_up_to(page))

    review = selectors.last_sign_off(case=case, user=world.supervisor)
    assert selectors.changes_since(case, review) == 1


@pytest.mark.django_db
def test_a_sign_off_is_itself_audited(reviewed, world):
    review = ReviewSignOff.objects.get(case=reviewed)
    assert review.reviewer == world.supervisor
    assert review.note == "All in order"
    (row,) = review.history.all()
    assert row.history_user == world.supervisor
    assert row.history_change_reason == "review.sign_off"
    entries = selectors.timeline(user=world.supervisor2, case=reviewed).entries
    (entry,) = [e for e in entries if e.record_type == "review"]
    assert entry.action == "signed off the review of the case"
    assert entry.user == world.supervisor.get_full_name()
    assert verify.verify().ok


@pytest.mark.django_db
def test_each_supervisor_has_their_own_last_review(reviewed, world, client):
    client.force_login(world.supervisor2)
    page = timeline(client, reviewed).content.decode()
    assert "You have not signed off a review of this case yet." in page


@pytest.mark.django_db
def test_a_social_worker_sees_the_timeline_but_cannot_sign_off(world, case, client):
    client.force_login(world.worker)
    page = timeline(client, case).content.decode()
    assert "Mark reviewed up to now" not in page

    assert sign_off(client, case).status_code == 403
    assert not ReviewSignOff.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["mentor", "other_supervisor"])
def test_sign_off_outside_the_audit_scope_is_not_found(world, case, client, username):
    to_stage(case, world, Stage.PLANNING)  # the mentor is assigned: the case is in their scope
    client.force_login(getattr(world, username))
    assert sign_off(client, case).status_code == 404
    assert not ReviewSignOff.objects.exists()


@pytest.mark.django_db
def test_sign_off_answers_get_with_method_not_allowed(world, case, client):
    client.force_login(world.supervisor)
    assert client.get(reverse("audit:sign_off", args=[case.pk])).status_code == 405
