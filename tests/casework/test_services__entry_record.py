"""The ESF+ entry record: a snapshot of the client's characteristics on the entry date, taken
when the client becomes a participant under the programme's rule, left alone by later edits of
the client, corrected only through its service (audited); and the follow-ups' result questions."""

import datetime

import pytest
from django.urls import reverse

from casework import services
from casework.journey import Stage
from casework.models import (
    EducationLevel,
    EntryRecord,
    LabourMarketStatus,
    ParticipantRule,
)
from kernel.errors import InvalidInput, NotAllowed, NotFound

from ..conftest import new_client
from ..esf import FIRST, SECOND, answer, leave, participant, settlements, years_before
from ..journey import TODAY, approve_plan, complete_intake

# The 15th: a month earlier and later is the same day of the month (no month-end clipping).
ENTRY = (TODAY - datetime.timedelta(days=100)).replace(day=15)
COMPLETE = {
    "birth_date": years_before(ENTRY, 40),
    "birth_year": ENTRY.year - 40,
    "settlement": "Ózd",
    "labour_market_status": LabourMarketStatus.UNEMPLOYED,
    "unemployed_since": ENTRY - datetime.timedelta(days=30),
    "third_country_national": False,
    "foreign_origin": False,
    "housing_exclusion": False,
}


@pytest.fixture(autouse=True)
def settlement_list(db):
    settlements()


@pytest.fixture
def case(world):
    """A case whose intake form is dated a week before ENTRY, so that the plan signed on ENTRY
    and an exit dated in the past do not predate it (paper records: nothing predates a case)."""
    person = new_client(world, **COMPLETE)
    return services.case_open(
        user=world.worker,
        client_id=person.pk,
        programme_id=world.programme.pk,
        opened_on=ENTRY - datetime.timedelta(days=7),
    )


def _record(case) -> EntryRecord:
    return EntryRecord.objects.get(client_id=case.client_id, programme_id=case.programme_id)


@pytest.mark.django_db
def test_the_record_is_taken_when_the_client_signs_the_plan_with_their_data_then(world):
    case = participant(world, entry_on=ENTRY, **COMPLETE)
    record = _record(case)
    assert (record.case_id, record.entry_date, record.complete) == (case.pk, ENTRY, True)
    assert (record.gender, record.age, record.age_band) == ("female", 40, "30_54")
    assert (record.labour_status, record.long_term_unemployed) == ("unemployed", False)
    assert (record.education, record.settlement, record.rural) == ("isced_0_2", "Ózd", False)
    row = record.history.get()
    assert (row.history_user, row.history_change_reason) == (world.mentor, "entry_record.take")


@pytest.mark.django_db
def test_no_record_before_the_signature_and_a_cleared_signature_removes_it(world):
    person = new_client(world, **COMPLETE)
    case = services.case_open(
        user=world.worker,
        client_id=person.pk,
        programme_id=world.programme.pk,
        opened_on=ENTRY - datetime.timedelta(days=7),
    )
    complete_intake(case, world)
    services.plan_save(user=world.mentor, case_id=case.pk, summary="Draft")
    assert not EntryRecord.objects.exists()
    services.plan_save(user=world.mentor, case_id=case.pk, summary="x", client_agreed_on=ENTRY)
    later = ENTRY + datetime.timedelta(days=3)
    services.plan_save(user=world.mentor, case_id=case.pk, summary="x", client_agreed_on=later)
    assert _record(case).entry_date == later
    services.plan_save(user=world.mentor, case_id=case.pk, summary="x", client_agreed_on=None)
    assert not EntryRecord.objects.exists()


@pytest.mark.django_db
def test_later_edits_of_the_client_leave_the_record_as_it_was(world):
    case = participant(world, entry_on=ENTRY, **COMPLETE)
    services.client_update(
        user=world.worker,
        client_id=case.client_id,
        data={
            "settlement": "Putnok",
            "labour_market_status": LabourMarketStatus.EMPLOYED,
            "education_level": EducationLevel.ISCED_5_8,
        },
    )
    record = _record(case)
    assert (record.settlement, record.rural, record.labour_status, record.education) == (
        "Ózd",
        False,
        "unemployed",
        "isced_0_2",
    )
    assert record.history.count() == 1


@pytest.mark.django_db
def test_a_correction_is_worked_through_and_audited_with_its_user_and_reason(world):
    case = participant(world, entry_on=ENTRY, **{**COMPLETE, "settlement": "Sehol"})
    record = _record(case)
    assert record.complete is False and record.rural is None
    corrected = services.entry_record_correct(
        user=world.worker,
        record_id=record.pk,
        data={"settlement": "Putnok", "unemployed_since": ENTRY - datetime.timedelta(days=400)},
        reason="Typo in the intake form",
    )
    assert (corrected.rural, corrected.long_term_unemployed, corrected.complete) == (
        True,
        True,
        True,
    )
    row = corrected.history.latest()
    assert row.history_user == world.worker
    assert row.history_change_reason == "entry_record.correct: Typo in the intake form"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "data", "reason", "error"),
    [
        ("mentor", {"gender": "male"}, "Fix", NotAllowed),
        ("other_worker", {"gender": "male"}, "Fix", NotFound),
        ("worker", {"gender": "male"}, "  ", InvalidInput),
        ("worker", {"age": 12}, "Fix", InvalidInput),
        ("worker", {"gender": "robot"}, "Fix", InvalidInput),
    ],
)
def test_a_refused_correction_writes_nothing(world, who, data, reason, error):
    case = participant(world, entry_on=ENTRY, **COMPLETE)
    record = _record(case)
    with pytest.raises(error):
        services.entry_record_correct(
            user=getattr(world, who), record_id=record.pk, data=data, reason=reason
        )
    record.refresh_from_db()
    assert (record.gender, record.history.count()) == ("female", 1)


@pytest.mark.django_db
def test_the_age_is_taken_on_the_entry_date_a_birthday_the_day_after_not_yet_counted(world):
    birthday_after_entry = years_before(ENTRY + datetime.timedelta(days=1), 30)
    case = participant(
        world,
        entry_on=ENTRY,
        **{**COMPLETE, "birth_date": birthday_after_entry, "birth_year": birthday_after_entry.year},
    )
    record = _record(case)
    assert (record.age, record.age_band) == (29, "18_29")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("years", "band", "complete"),
    [(40, "30_54", True), (30, "", False)],  # 39 or 40: one band; 29 or 30: two
)
def test_with_the_year_of_birth_alone_the_band_is_known_only_away_from_a_boundary(
    world, years, band, complete
):
    data = {**COMPLETE, "birth_date": None, "birth_year": ENTRY.year - years}
    record = _record(participant(world, entry_on=ENTRY, **data))
    assert (record.age, record.age_band, record.complete) == (None, band, complete)
    if not complete:
        assert record.missing() == ["the date of birth (the year alone leaves the age band open)"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("age", "months", "days_more", "long_term"),
    [
        (24, 6, 1, True),  # below 25: more than six months
        (24, 6, 0, False),  # six months to the day is not more than six
        (25, 7, 0, False),  # from 25: seven months is not long-term
        (25, 12, 0, False),  # twelve months to the day
        (25, 12, 1, True),
    ],
)
def test_long_term_unemployment_is_over_six_months_below_25_and_over_twelve_from_25(
    world, age, months, days_more, long_term
):
    from casework.entry import add_months

    since = add_months(ENTRY, -months) - datetime.timedelta(days=days_more)
    born = years_before(ENTRY, age)
    data = {**COMPLETE, "birth_date": born, "birth_year": born.year, "unemployed_since": since}
    record = _record(participant(world, entry_on=ENTRY, **data))
    assert (record.age, record.long_term_unemployed, record.complete) == (age, long_term, True)


@pytest.mark.django_db
def test_an_unemployed_client_without_the_date_lacks_it_and_the_choice_alone_is_not_enough(world):
    data = {
        **COMPLETE,
        "labour_market_status": LabourMarketStatus.LONG_TERM_UNEMPLOYED,
        "unemployed_since": None,
    }
    record = _record(participant(world, entry_on=ENTRY, **data))
    assert (record.long_term_unemployed, record.complete) == (None, False)
    assert record.missing() == ["unemployed since"]


@pytest.mark.django_db
def test_a_second_case_of_the_same_person_keeps_the_first_entry_record(world):
    case = participant(world, entry_on=ENTRY, **COMPLETE)
    services.case_close_early(user=world.worker, case_id=case.pk, outcome="moved_away", reason="x")
    again = services.case_open(
        user=world.worker, client_id=case.client_id, programme_id=world.programme.pk
    )
    complete_intake(again, world)
    services.plan_save(user=world.mentor, case_id=again.pk, summary="x", client_agreed_on=TODAY)
    (record,) = EntryRecord.objects.all()
    assert (record.case_id, record.entry_date) == (case.pk, ENTRY)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rule", "taken_after"),
    [
        (ParticipantRule.PLAN_APPROVED, "approval"),
        (ParticipantRule.INTAKE_COMPLETED, "intake"),
    ],
)
def test_the_programme_decides_what_makes_a_participant(world, case, rule, taken_after):
    world.programme.participant_rule = rule
    world.programme.save()
    complete_intake(case, world)
    assert EntryRecord.objects.exists() is (taken_after == "intake")
    services.plan_save(user=world.mentor, case_id=case.pk, summary="x", client_agreed_on=ENTRY)
    assert EntryRecord.objects.exists() is (taken_after == "intake")
    approve_plan(case, world)
    record = _record(case)
    assert record.entry_date == TODAY
    reason = record.history.get().history_change_reason
    assert reason == "entry_record.take"


@pytest.mark.django_db
def test_each_follow_up_asks_exactly_its_questions_and_counts_days_from_the_exit(world):
    left = TODAY - datetime.timedelta(days=200)
    # Entered two months before leaving (an exit cannot predate the case).
    entered = left - datetime.timedelta(days=60)
    case = leave(participant(world, entry_on=entered, **COMPLETE), world, left_on=left)
    assert case.stage == Stage.FOLLOW_UP
    first = case.follow_ups.get(kind=FIRST)
    assert first.exit_on == left
    with pytest.raises(InvalidInput) as refused:
        answer(case, world, FIRST, contacted_on=left, employed=True, improved_situation=True)
    assert set(refused.value.field_errors) == {
        "improved_situation",
        "job_searching",
        "in_education",
        "gained_qualification",
    }
    first.refresh_from_db()
    assert (first.status, first.history.count()) == ("pending", 1)
    recorded = answer(
        case,
        world,
        FIRST,
        contacted_on=left + datetime.timedelta(days=29),
        job_searching=False,
        in_education=True,
        gained_qualification=True,
        employed=False,
    )
    assert (recorded.days_after_exit, recorded.in_education, recorded.situation) == (
        29,
        True,
        "in_education",
    )
    second = answer(
        case,
        world,
        SECOND,
        contacted_on=left + datetime.timedelta(days=182),
        employed=True,
        improved_situation=True,
    )
    assert (second.days_after_exit, second.employed, second.job_searching) == (182, True, None)


@pytest.mark.django_db
def test_the_case_page_shows_what_the_entry_record_still_lacks(world, client):
    case = participant(world, entry_on=ENTRY, **{**COMPLETE, "foreign_origin": None})
    client.force_login(world.worker)
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "The entry record still lacks" in page
    assert "of foreign origin" in page.split('id="entry-record"')[1].split("</div>")[0]
    services.entry_record_correct(
        user=world.worker,
        record_id=_record(case).pk,
        data={"foreign_origin": False},
        reason="Asked",
    )
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "The entry record is complete." in page


def _post_correction(client, case, **fields):
    data = {f"entry_record-{key}": value for key, value in fields.items()}
    return client.post(reverse("casework:case_action", args=[case.pk, "entry_record"]), data)


@pytest.mark.django_db
def test_staff_correct_the_record_from_the_case_page_and_a_mentor_cannot(world, client):
    case = participant(world, entry_on=ENTRY, **{**COMPLETE, "settlement": "Sehol"})
    record = _record(case)
    fields = {
        "gender": "female",
        "birth_date": record.birth_date.isoformat(),
        "labour_status": "unemployed",
        "unemployed_since": record.unemployed_since.isoformat(),
        "education": "isced_0_2",
        "third_country_national": "false",
        "foreign_origin": "false",
        "housing_exclusion": "false",
        "settlement": "Putnok",
        "reason": "Wrong settlement",
    }
    client.force_login(world.mentor)
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "entry_record-reason" not in page
    assert _post_correction(client, case, **fields).status_code == 403
    client.force_login(world.worker)
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert 'name="entry_record-reason"' in page
    assert _post_correction(client, case, **{**fields, "reason": ""}).status_code == 400
    assert _record(case).history.count() == 1
    assert _post_correction(client, case, **fields).status_code == 302
    record = _record(case)
    assert (record.settlement, record.rural, record.complete) == ("Putnok", True, True)
    assert record.history.latest().history_change_reason == (
        "entry_record.correct: Wrong settlement"
    )


@pytest.mark.django_db
def test_the_exit_day_may_be_recorded_later_but_not_in_the_future(world, case):
    from casework.models import ExitOutcome, Placement

    from ..journey import to_stage

    to_stage(case, world, Stage.PLACEMENT)
    with pytest.raises(InvalidInput) as refused:
        services.placement_save(
            user=world.mentor,
            case_id=case.pk,
            exit_outcome=ExitOutcome.JOB_SEEKING,
            exit_on=TODAY + datetime.timedelta(days=1),
        )
    assert list(refused.value.field_errors) == ["exit_on"]
    assert not Placement.objects.filter(case=case).exists()
    services.placement_save(user=world.mentor, case_id=case.pk, exit_outcome=ExitOutcome.INACTIVE)
    assert Placement.objects.get(case=case).exit_recorded_on == TODAY
    earlier = TODAY - datetime.timedelta(days=3)
    placement = services.placement_save(
        user=world.mentor, case_id=case.pk, exit_outcome=ExitOutcome.INACTIVE, exit_on=earlier
    )
    assert placement.exit_recorded_on == earlier
    services.case_advance(user=world.mentor, case_id=case.pk, from_stage=Stage.PLACEMENT)
    assert {f.exit_on for f in case.follow_ups.all()} == {earlier}


@pytest.mark.django_db
def test_the_correction_is_in_the_case_timeline_with_its_reason_and_change(world):
    from audit import selectors as audit_selectors

    case = participant(world, entry_on=ENTRY, **COMPLETE)
    services.entry_record_correct(
        user=world.supervisor,
        record_id=_record(case).pk,
        data={"foreign_origin": True},
        reason="The client told us later",
    )
    entries = audit_selectors.timeline(user=world.supervisor, case=case, size=1000).entries
    (taken,) = [e for e in entries if e.reason_code == "entry_record.take"]
    assert taken.action == "took the ESF+ entry record"
    (corrected,) = [e for e in entries if e.reason_code == "entry_record.correct"]
    assert (corrected.record_type, corrected.note) == ("entry_record", "The client told us later")
    assert {c.field: (c.old_text, c.new_text) for c in corrected.changes}["foreign_origin"] == (
        "no",
        "yes",
    )
