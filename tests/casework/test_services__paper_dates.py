"""Paper records entered later (issue 13): the date on the form may be in the past, never in
the future and never before the case opened; the history keeps when it was entered and the
timeline shows the day it is about beside it."""

import datetime

import pytest
from django.urls import reverse

from audit import selectors as audit_selectors
from casework import services
from casework.models import Case, SessionFormat, SessionKind
from kernel.errors import InvalidInput

from ..conftest import new_client
from ..journey import TODAY, complete_intake

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
OPENED = TODAY - 30 * DAY


@pytest.fixture
def paper_case(world):
    """A case whose signed intake form is dated thirty days ago."""
    client = new_client(world)
    return services.case_open(
        user=world.worker, client_id=client.pk, programme_id=world.programme.pk, opened_on=OPENED
    )


def test_a_case_opens_on_the_date_of_its_paper_intake_form(world, paper_case):
    assert paper_case.opened_on == OPENED
    history = paper_case.history.get()
    assert history.history_change_reason == "case.open"
    # Entered today: the history's own time is the moment of entry, not the form's date.
    assert history.history_date.date() >= TODAY - DAY


@pytest.mark.parametrize(
    ("opened_on", "fragment"),
    [(TODAY + DAY, "future"), (datetime.date(2024, 12, 31), "started")],
)
def test_a_case_cannot_open_in_the_future_or_before_its_programme(world, opened_on, fragment):
    client = new_client(world)
    with pytest.raises(InvalidInput) as refused:
        services.case_open(
            user=world.worker,
            client_id=client.pk,
            programme_id=world.programme.pk,
            opened_on=opened_on,
        )
    assert fragment in " ".join(map(str, refused.value.field_errors["opened_on"]))
    assert not Case.objects.filter(client=client).exists()


def test_last_weeks_consent_is_accepted_and_one_before_the_case_opened_is_not(world, paper_case):
    with pytest.raises(InvalidInput) as refused:
        services.case_record_consent(
            user=world.worker, case_id=paper_case.pk, given_on=OPENED - DAY
        )
    assert "when the case was opened" in str(refused.value.field_errors["given_on"][0])
    paper_case.refresh_from_db()
    assert paper_case.consent_given_on is None

    services.case_record_consent(user=world.worker, case_id=paper_case.pk, given_on=TODAY - 7 * DAY)
    paper_case.refresh_from_db()
    assert paper_case.consent_given_on == TODAY - 7 * DAY


def test_a_session_dated_before_a_listed_case_opened_is_refused_whole(world, paper_case):
    case = complete_intake(paper_case, world)
    services.plan_save(
        user=world.mentor, case_id=case.pk, summary="plan", client_agreed_on=OPENED + DAY
    )
    with pytest.raises(InvalidInput) as refused:
        services.session_record(
            user=world.mentor,
            kind=SessionKind.COUNSELLING,
            format=SessionFormat.INDIVIDUAL,
            topic="CV",
            held_on=OPENED - 2 * DAY,
            attendance={case.pk: True},
        )
    assert "held_on" in refused.value.field_errors


def test_the_plan_agreement_cannot_predate_the_case(world, paper_case):
    case = complete_intake(paper_case, world)
    with pytest.raises(InvalidInput) as refused:
        services.plan_save(
            user=world.mentor, case_id=case.pk, summary="x", client_agreed_on=OPENED - DAY
        )
    assert "client_agreed_on" in refused.value.field_errors


def test_the_timeline_shows_the_day_a_late_entry_is_about(world, paper_case, client):
    entries = audit_selectors.timeline(user=world.supervisor, case=paper_case, size=50).entries
    (opened,) = [e for e in entries if e.record_type == "case" and e.reason_code == "case.open"]
    assert opened.about_date == OPENED
    assert opened.as_json()["about_date"] == OPENED.isoformat()

    client.force_login(world.supervisor)
    page = client.get(reverse("audit:case_timeline", args=[paper_case.pk]))
    assert "entered later" in page.content.decode()


def test_an_entry_made_on_the_day_it_is_about_shows_no_second_date(world, case):
    entries = audit_selectors.timeline(user=world.supervisor, case=case, size=50).entries
    (opened,) = [e for e in entries if e.record_type == "case" and e.reason_code == "case.open"]
    assert opened.about_date is None
