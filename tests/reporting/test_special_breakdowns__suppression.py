"""Participants by special category on the indicator dashboard: the counts come from privacy
with small cells suppressed for every role that reads aggregates (with the next smallest, so
the total cannot give one back), scoped like the dashboard, as of its date, with no link to the
people behind a count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import services
from casework.models import EntryRecord, Programme
from privacy.models import SpecialCategoryRecord
from reporting.indicators import Scope
from reporting.special_breakdowns import special_breakdowns

from ..conftest import COMPLETE_CLIENT
from ..journey import TODAY

pytestmark = pytest.mark.django_db

ENTERED = TODAY - datetime.timedelta(days=30)


def _participants(world, answers, *, category="ethnicity", worker=None, entry_date=ENTERED):
    """One participant (client, case, entry record) per item of ``answers``; an answer (yes,
    no, declined) is recorded about ``category``, None records nothing."""
    worker = worker or world.worker
    cases = []
    for answer in answers:
        person = services.client_register(
            user=worker, data={**COMPLETE_CLIENT, "family_name": f"P{EntryRecord.objects.count()}"}
        )
        case = services.case_open(
            user=worker,
            client_id=person.pk,
            programme_id=world.programme.pk,
            opened_on=entry_date - datetime.timedelta(days=7),
        )
        EntryRecord.objects.create(
            client=person, programme=world.programme, case=case, entry_date=entry_date
        )
        if answer:
            SpecialCategoryRecord.objects.create(client=person, category=category, answer=answer)
        cases.append(case)
    return cases


def _counts(scope, category="ethnicity"):
    (breakdown,) = [b for b in special_breakdowns(scope=scope) if b.category == category]
    return {cell.answer: cell.count for cell in breakdown.cells}


def _scope(world, organisation=None, as_of=TODAY):
    return Scope(
        programme=Programme.objects.get(pk=world.programme.pk),
        as_of=as_of,
        organisation_ids=None if organisation is None else frozenset({organisation.pk}),
    )


def _section(client, world, language="en", **params) -> str:
    response = client.get(
        reverse("reporting:dashboard", args=[world.programme.pk]),
        params,
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    page = response.content.decode()
    return page.split('id="special-categories"')[1].split("</section>")[0]


def test_five_people_are_shown(world):
    _participants(world, ["yes"] * 5 + ["no"] * 6)
    assert _counts(_scope(world)) == {"yes": 5, "no": 6, "declined": 0, "not_recorded": 0}


def test_four_people_are_suppressed_with_the_next_smallest_cell(world):
    _participants(world, ["yes"] * 4 + ["no"] * 6 + ["declined"] * 9)
    # Alone, the hidden 4 would be the total (19, the participants' count) minus 6 and 9.
    assert _counts(_scope(world)) == {"yes": None, "no": None, "declined": 9, "not_recorded": 0}


def test_a_small_cell_among_zeros_is_hidden_with_a_zero_beside_the_participant_count(world):
    # The dashboard publishes 3 participants; "yes" alone hidden among zeros would be 3.
    _participants(world, ["yes"] * 3)
    counts = _counts(_scope(world))
    assert counts["yes"] is None
    assert list(counts.values()).count(None) == 2


def test_participants_without_a_record_are_counted_as_not_recorded(world):
    _participants(world, ["yes"] * 5 + [None] * 7, category="disability")
    assert _counts(_scope(world), "disability") == {
        "yes": 5,
        "no": 0,
        "declined": 0,
        "not_recorded": 7,
    }
    # The other category: nobody answered, all seven-and-five are "not recorded".
    assert _counts(_scope(world), "ethnicity")["not_recorded"] == 12


def test_clients_without_an_entry_record_are_not_participants(world):
    _participants(world, ["yes"] * 5)
    outsider = services.client_register(user=world.worker, data=COMPLETE_CLIENT)
    SpecialCategoryRecord.objects.create(client=outsider, category="ethnicity", answer="yes")
    assert _counts(_scope(world))["yes"] == 5


def test_a_participant_who_entered_after_the_report_date_is_not_counted(world):
    _participants(world, ["yes"] * 5)
    _participants(world, ["yes"], entry_date=TODAY)
    assert _counts(_scope(world))["yes"] == 6
    yesterday = _scope(world, as_of=TODAY - datetime.timedelta(days=1))
    assert _counts(yesterday)["yes"] == 5


def test_a_supervisor_counts_only_their_organisations_participants(world):
    _participants(world, ["yes"] * 5 + ["no"] * 5)
    _participants(world, ["yes"] * 6 + ["no"] * 7, worker=world.other_worker)
    assert _counts(_scope(world))["yes"] == 11
    assert _counts(_scope(world, world.org)) == {
        "yes": 5,
        "no": 5,
        "declined": 0,
        "not_recorded": 0,
    }
    assert _counts(_scope(world, world.other_org))["no"] == 7


@pytest.mark.parametrize("who", ["admin", "supervisor"])
def test_every_role_reading_the_dashboard_sees_small_cells_suppressed_and_no_link(
    world, client, who
):
    # The supervisor may see each of these people's ethnicity on their cases; the published
    # aggregate hides the small cell from them all the same.
    _participants(world, ["yes"] * 3 + ["no"] * 8 + ["declined"] * 5)
    client.force_login(getattr(world, who))
    section = _section(client, world)
    ethnicity = section.split('data-category="ethnicity"')[1].split("</table>")[0]
    yes = ethnicity.split('data-answer="yes"')[1].split("</tr>")[0]
    declined = ethnicity.split('data-answer="declined"')[1].split("</tr>")[0]
    no = ethnicity.split('data-answer="no"')[1].split("</tr>")[0]
    assert "fewer than 5" in yes and ">3<" not in yes
    assert "fewer than 5" in declined and ">5<" not in declined  # the complementary cell
    assert '<span class="figure">8</span>' in no
    assert "<a " not in section


def test_the_supervisors_dashboard_shows_their_organisations_counts(world, client):
    _participants(world, ["yes"] * 5 + ["no"] * 6)
    _participants(world, ["yes"] * 9 + ["no"] * 9, worker=world.other_worker)
    client.force_login(world.supervisor)
    section = _section(client, world)
    ethnicity = section.split('data-category="ethnicity"')[1].split("</table>")[0]
    assert '<span class="figure">5</span>' in ethnicity.split('data-answer="yes"')[1]
    assert '<span class="figure">14</span>' not in ethnicity


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("hu", ["Kisebbséghez tartozó résztvevők", "5-nél kevesebb", "csak összesítve"]),
        ("sk", ["Účastníci z menšín", "menej ako 5", "len súhrnne"]),
    ],
)
def test_the_section_is_translated(world, client, language, expected):
    _participants(world, ["yes"] * 2 + ["no"] * 6)
    client.force_login(world.admin)
    section = _section(client, world, language=language)
    for text in expected:
        assert text in section
    assert "Participants from minorities" not in section


def test_the_breakdown_costs_the_same_queries_for_few_participants_or_many(world, client):
    client.force_login(world.admin)
    _participants(world, ["yes"] * 5)
    _section(client, world)  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        _section(client, world)
    _participants(world, ["no"] * 6 + ["declined"] * 2, category="disability")
    with CaptureQueriesContext(connection) as many:
        _section(client, world)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_breakdown_is_two_queries_whatever_the_number_of_categories(
    world, django_assert_num_queries
):
    _participants(world, ["yes"] * 5)
    scope = _scope(world)
    with django_assert_num_queries(2):
        special_breakdowns(scope=scope)
