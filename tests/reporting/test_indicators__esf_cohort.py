"""The ESF+ common indicators on a small cohort built through the real services, against values
worked out by hand below: the characteristics at entry (age on the entry date, long-term
unemployment below and above 25, an incomplete record left out of the breakdowns and listed,
one person with two cases counted once) and the results (a result 29 days after leaving against
four weeks, the six-month window)."""

import datetime

import pytest
from django.urls import reverse

from casework import services
from casework.models import EducationLevel, EntryRecord, Gender, LabourMarketStatus, Programme
from reporting.indicators import ESF_INDICATORS, INDICATORS, Scope
from reporting.selectors import records_behind

from ..conftest import new_client
from ..esf import FIRST, SECOND, answer, leave, participant, settlements, years_before
from ..journey import TODAY, complete_intake

DAY = datetime.timedelta(days=1)
# The 15th, so that "n months before" is the same day of the month.
ENTRY = (TODAY - datetime.timedelta(days=400)).replace(day=15)


def months_before(day: datetime.date, months: int) -> datetime.date:
    from casework.entry import add_months

    return add_months(day, -months)


def person(born: datetime.date | None, **data) -> dict:
    return {
        "birth_date": born,
        "birth_year": born.year if born else None,
        "third_country_national": False,
        "foreign_origin": False,
        "housing_exclusion": False,
        "settlement": "Ózd",
        **data,
    }


@pytest.fixture
def cohort(world):
    """Six participants who signed their plan on ENTRY, and one client who has not:

    ====== ====== ================ ======================== ======= ======== ======================
    who    gender age at entry     labour market            ISCED   lives in other
    ====== ====== ================ ======================== ======= ======== ======================
    Anna   female 29 (30 the day   unemployed 7 months:     2       Putnok   foreign origin
                  after entry)     25+, not long-term               (rural)
    Béla   male   24               unemployed 7 months:     3–4     Ózd      third-country
                                   below 25, long-term                       national
    Csilla female 56               public works: employed   5–8     Ózd      housing exclusion
    Dóra   non-b. 39 or 40 (year)  inactive                 2       Sehol    foreign origin not
                                                                    (not     answered: incomplete
                                                                    listed)
    Ernő   male   40               unemployed 13 months:    0–1     Ózd      a second case later
                                   25+, long-term
    Fanni  female 17               inactive, in education   2       Ózd
    ====== ====== ================ ======================== ======= ======== ======================
    """
    settlements()
    unemployed = LabourMarketStatus.UNEMPLOYED
    people = {
        "anna": person(
            years_before(ENTRY + DAY, 30),
            gender=Gender.FEMALE,
            labour_market_status=unemployed,
            unemployed_since=months_before(ENTRY, 7),
            settlement="Putnok",
            foreign_origin=True,
        ),
        "bela": person(
            years_before(ENTRY, 24),
            gender=Gender.MALE,
            labour_market_status=unemployed,
            unemployed_since=months_before(ENTRY, 7),
            education_level=EducationLevel.ISCED_3_4,
            third_country_national=True,
        ),
        "csilla": person(
            years_before(ENTRY, 56),
            labour_market_status=LabourMarketStatus.PUBLIC_WORKS,
            education_level=EducationLevel.ISCED_5_8,
            housing_exclusion=True,
        ),
        "dora": person(
            None,
            birth_year=ENTRY.year - 40,
            gender=Gender.NON_BINARY,
            labour_market_status=LabourMarketStatus.INACTIVE,
            settlement="Sehol",
            foreign_origin=None,
        ),
        "erno": person(
            years_before(ENTRY, 40),
            gender=Gender.MALE,
            labour_market_status=LabourMarketStatus.LONG_TERM_UNEMPLOYED,
            unemployed_since=months_before(ENTRY, 13),
            education_level=EducationLevel.ISCED_0_1,
        ),
        "fanni": person(
            years_before(ENTRY, 17),
            labour_market_status=LabourMarketStatus.INACTIVE_IN_EDUCATION,
        ),
    }
    cases = {
        name: participant(world, entry_on=ENTRY, family_name=name.title(), **data)
        for name, data in people.items()
    }
    # Ernő leaves and comes back: a second case, a second signed plan, still one participant.
    services.case_close_early(
        user=world.worker, case_id=cases["erno"].pk, outcome="moved_away", reason="Moved"
    )
    again = services.case_open(
        user=world.worker, client_id=cases["erno"].client_id, programme_id=world.programme.pk
    )
    complete_intake(again, world)
    services.plan_save(user=world.mentor, case_id=again.pk, summary="x", client_agreed_on=TODAY)
    # Not a participant: no signed plan.
    not_yet = new_client(world, family_name="Gábor")
    services.case_open(user=world.worker, client_id=not_yet.pk, programme_id=world.programme.pk)
    return cases


def _scope(world, *, as_of=TODAY, organisations=None) -> Scope:
    programme = Programme.objects.get(pk=world.programme.pk)
    return Scope(programme=programme, as_of=as_of, organisation_ids=organisations)


ENTRY_EXPECTED = {
    "esf_participants": 6,
    "esf_incomplete": 1,  # Dóra
    "esf_female": 3,  # Anna, Csilla, Fanni
    "esf_male": 2,  # Béla, Ernő (once, with two cases)
    "esf_non_binary": 0,  # Dóra's record is incomplete: not in the breakdowns
    "esf_age_lt18": 1,  # Fanni
    "esf_age_18_29": 2,  # Anna (29: her birthday is the day after entry), Béla
    "esf_age_30_54": 1,  # Ernő
    "esf_age_55plus": 1,  # Csilla
    "esf_unemployed": 3,  # Anna, Béla, Ernő
    "esf_long_term_unemployed": 2,  # Béla (below 25, over 6 months), Ernő (over 12 months)
    "esf_inactive": 1,  # Fanni
    "esf_employed": 1,  # Csilla (public works)
    "esf_isced_0_2": 3,  # Anna, Ernő, Fanni
    "esf_isced_3_4": 1,  # Béla
    "esf_isced_5_8": 1,  # Csilla
    "esf_third_country": 1,  # Béla
    "esf_foreign_origin": 1,  # Anna
    "esf_homeless": 1,  # Csilla
    "esf_rural": 1,  # Anna (Putnok)
}


@pytest.mark.django_db
def test_every_entry_indicator_counts_complete_records_as_worked_out_by_hand(world, cohort):
    scope = _scope(world)
    values = {code: INDICATORS[code].total(scope) for code in ENTRY_EXPECTED}
    assert values == ENTRY_EXPECTED
    # Before the entry date nobody had entered.
    before = _scope(world, as_of=ENTRY - DAY)
    assert all(INDICATORS[code].total(before) == 0 for code in ENTRY_EXPECTED)
    # Where they lived on the entry date.
    assert INDICATORS["esf_female"].by_place(scope) == {
        (world.org.pk, "Putnok"): 1,
        (world.org.pk, "Ózd"): 2,
    }


@pytest.mark.django_db
def test_the_incomplete_record_is_listed_with_what_it_lacks_for_the_users_scope_only(
    world, cohort, client
):
    _indicator, rows = records_behind(scope=_scope(world), code="esf_incomplete")
    (record,) = rows
    assert record.case_id == cohort["dora"].pk
    assert record.missing() == [
        "of foreign origin",
        "rural residence (the settlement is not in the settlement list)",
    ]
    client.force_login(world.supervisor)
    url = reverse("reporting:records", args=[world.programme.pk, "esf_incomplete"])
    page = client.get(url).content.decode()
    assert cohort["dora"].number in page
    assert cohort["anna"].number not in page
    assert "of foreign origin" in page
    client.force_login(world.other_supervisor)
    assert cohort["dora"].number not in client.get(url).content.decode()
    other = _scope(world, organisations=frozenset({world.other_org.pk}))
    assert all(indicator.total(other) == 0 for indicator in ESF_INDICATORS)


@pytest.mark.django_db
def test_the_breakdowns_count_the_record_once_it_is_completed(world, cohort):
    record = EntryRecord.objects.get(case=cohort["dora"])
    services.entry_record_correct(
        user=world.supervisor,
        record_id=record.pk,
        data={"foreign_origin": False, "settlement": "Putnok"},
        reason="Asked the client",
    )
    scope = _scope(world)
    assert INDICATORS["esf_incomplete"].total(scope) == 0
    assert INDICATORS["esf_non_binary"].total(scope) == 1
    assert INDICATORS["esf_age_30_54"].total(scope) == 2  # 39 or 40: either way 30–54
    assert INDICATORS["esf_rural"].total(scope) == 2


@pytest.fixture
def leavers(world):
    """Three participants leave on the same day and answer their follow-ups:

    ======= =========================================== ==========================================
    who     at exit (first follow-up)                   six months after (second follow-up)
    ======= =========================================== ==========================================
    Anna    day 28: job searching, gained qualification day 182: employed, improved
    Béla    day 29 (late): in education, employed       day 211 (late): employed, improved
    Csilla  day 0: employed                             day 210: employed, not improved
    ======= =========================================== ==========================================
    """
    settlements()
    left = TODAY - datetime.timedelta(days=300)
    entered = left - datetime.timedelta(days=60)
    answers = {
        "anna": (28, dict(job_searching=True, in_education=False, gained_qualification=True,
                          employed=False), 182, dict(employed=True, improved_situation=True)),
        "bela": (29, dict(job_searching=False, in_education=True, gained_qualification=False,
                          employed=True), 211, dict(employed=True, improved_situation=True)),
        "csilla": (0, dict(job_searching=False, in_education=False, gained_qualification=False,
                           employed=True), 210, dict(employed=True, improved_situation=False)),
    }  # fmt: skip
    cases = {}
    for name, (first_day, first, second_day, second) in answers.items():
        case = participant(world, entry_on=entered, family_name=name.title())
        case = leave(case, world, left_on=left)
        answer(case, world, FIRST, contacted_on=left + first_day * DAY, **first)
        answer(case, world, SECOND, contacted_on=left + second_day * DAY, **second)
        cases[name] = case
    return left, cases


RESULTS_EXPECTED = {
    "esf_exit_job_searching": 1,  # Anna
    "esf_exit_in_education": 0,  # Béla answered on day 29: after four weeks
    "esf_exit_qualification": 1,  # Anna
    "esf_exit_employed": 1,  # Csilla (day 0); not Béla (day 29)
    "esf_6m_employed": 2,  # Anna (day 182), Csilla (day 210); not Béla (day 211)
    "esf_6m_improved": 1,  # Anna; Béla's is late, Csilla's is no
}


@pytest.mark.django_db
def test_every_result_indicator_counts_answers_inside_its_window(world, leavers):
    left, _cases = leavers
    scope = _scope(world)
    assert {code: INDICATORS[code].total(scope) for code in RESULTS_EXPECTED} == RESULTS_EXPECTED
    # As of the day after the first answers, the six-month results are not in yet.
    early = _scope(world, as_of=left + 29 * DAY)
    assert INDICATORS["esf_exit_job_searching"].total(early) == 1
    assert INDICATORS["esf_6m_employed"].total(early) == 0
