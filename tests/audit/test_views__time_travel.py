"""A case and its plan as they stood at a chosen moment (simple-history ``as_of``)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit import selectors
from casework.models import Case

from .support import busy_case


def facts_of(html: str, title: str) -> dict[str, str]:
    section = html.split(f'aria-label="{title}"', 1)[1].split("</section>", 1)[0]
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", section)
    return dict(pairs)


def as_of(client, case, query):
    response = client.get(reverse("audit:case_as_of", args=[case.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_case_and_its_plan_as_they_stood_right_after_a_change(world, case, client):
    busy_case(case, world)
    submitted = case.plan.history.get(history_change_reason="plan.submit")
    client.force_login(world.supervisor)

    html = as_of(client, case, f"?at={selectors.to_micros(submitted.history_date)}")

    assert facts_of(html, "Case")["Stage"] == "development plan"
    plan = facts_of(html, "Development plan")
    assert plan["Status"] == "submitted for approval"
    assert plan["Approved by"] == "—"
    assert facts_of(html, "Goals")["Achieved"] == "no"
    client_facts = facts_of(html, "Client")
    assert client_facts["Phone"] == "+36 1"
    assert client_facts["Target groups"] == "single parent, long-term unemployed"
    assert "Nothing recorded yet." in html.split('aria-label="Placement"', 1)[1]


@pytest.mark.django_db
def test_the_case_as_it_stood_at_the_end_of_a_day(world, case, client):
    busy_case(case, world)
    client.force_login(world.worker)
    today = timezone.localdate().isoformat()

    html = as_of(client, case, f"?on={today}")

    assert facts_of(html, "Case")["Stage"] == "closed"
    assert facts_of(html, "Development plan")["Status"] == "approved"
    assert facts_of(html, "Goals")["Achieved"] == "yes"


@pytest.mark.django_db
def test_before_the_case_existed_the_page_says_so(world, case, client):
    client.force_login(world.supervisor)
    html = as_of(client, case, "?on=2001-01-01")
    assert "The case did not exist yet." in html


@pytest.mark.django_db
def test_a_deleted_goal_is_gone_after_its_deletion_but_there_before(world, case):
    from casework import services
    from casework.journey import Stage
    from casework.models import GoalArea
    from tests.journey import to_stage

    to_stage(case, world, Stage.PLANNING)
    goal = services.goal_add(
        user=world.mentor, case_id=case.pk, area=GoalArea.HOUSING, description="Flat"
    )
    added = goal.history.get().history_date
    services.goal_remove(user=world.mentor, goal_id=goal.pk)
    case = Case.objects.get(pk=case.pk)

    before = selectors.case_as_of(user=world.supervisor, case=case, moment=added)
    after = selectors.case_as_of(
        user=world.supervisor, case=case, moment=added + datetime.timedelta(days=1)
    )

    goals = {section.title: section for section in before}["Goals"]
    assert ("Goal", "Flat") in goals.records[0].facts
    assert {section.title: section for section in after}["Goals"].records == []
