"""The timeline and the organisation-wide list issue the same number of queries however long
the history is: a page is one keyset range scan plus a fixed handful."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit import selectors
from audit.models import ChainLink
from audit.selectors import Cursor
from bench import audit as bench

from .support import busy_case

# Request (session, user with its roles), case, last review, 3 page branches, previous versions,
# the history rows of every kind of record (one UNION ALL), tasks, the names of related records
# (one UNION ALL), read log, review marks, user filter.
TIMELINE = 14
LIST_MOST = 12


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.fixture
def reviewed_busy_case(world, case, client):
    busy_case(case, world)
    client.force_login(world.supervisor)
    client.post(reverse("audit:sign_off", args=[case.pk]))
    return case


@pytest.mark.django_db
def test_timeline_query_count_does_not_grow_with_the_history(reviewed_busy_case, world, client):
    case = reviewed_busy_case
    url = reverse("audit:case_timeline", args=[case.pk])
    journey = queries_for(client, url)  # every kind of record of a whole journey
    assert journey == TIMELINE

    bench.grow(bench.templates_for_case(case), count=500, user_ids=[world.mentor.pk])
    longer = queries_for(client, url)
    bench.grow(bench.templates_for_case(case), count=2500, user_ids=[world.mentor.pk])
    longest = queries_for(client, url)

    assert longer == longest == TIMELINE
    assert selectors.case_links(case).count() > 3000


@pytest.mark.django_db
def test_an_older_timeline_page_costs_what_the_first_costs(reviewed_busy_case, world, client):
    case = reviewed_busy_case
    bench.grow(bench.templates_for_case(case), count=1000, user_ids=[world.mentor.pk])
    url = reverse("audit:case_timeline", args=[case.pk])
    first = client.get(url).context["page"]
    middle = ChainLink.objects.filter(case=case).order_by("-history_date", "-id")[400]

    deep = f"{url}?before={Cursor(middle.history_date, middle.id).token}"

    assert queries_for(client, deep) == queries_for(client, url)
    assert first.older is not None


@pytest.mark.django_db
def test_organisation_list_query_count_does_not_grow_with_the_history(world, case, client):
    client.force_login(world.supervisor)
    url = reverse("audit:organisation_list")
    few = queries_for(client, url)
    assert few <= LIST_MOST

    def more(cases):
        bench.synthetic_cases(
            organisation=world.org,
            programme=world.programme,
            social_worker=world.worker,
            user_ids=[world.worker.pk, world.mentor.pk],
            cases=cases,
            rows_per_case=20,
        )

    more(20)
    some = queries_for(client, url)
    more(150)
    many = queries_for(client, url)
    filtered = queries_for(client, f"{url}?record_type=case&stage=planning&user={world.worker.pk}")

    assert some == many <= LIST_MOST
    assert filtered <= LIST_MOST + 1  # the user filter's choice is looked up
    assert ChainLink.objects.filter(organisation_id=world.org.pk).count() > 3000


@pytest.mark.django_db
def test_a_session_on_the_organisation_list_costs_no_query_of_its_own(world, case, client):
    client.force_login(world.supervisor)
    url = reverse("audit:organisation_list")
    without = queries_for(client, url)
    busy_case(case, world)  # records group sessions, whose entries name the session
    page = client.get(url)
    labels = [row.object_label for row in page.context["page"].rows if row.object_label]
    assert labels, "the page shows a session"
    assert queries_for(client, url) == without
