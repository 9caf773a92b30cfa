"""Our task inbox: my tasks due first, the team's queue to take a task from and give it back,
every task of the team for supervisors; paginated, scoped, and a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import services
from casework.journey import Stage
from kernel.errors import NotAllowed, NotFound, StageConflict
from workflows import services as task_services
from workflows.models import OpenTask

from ..casework.support import reload
from ..conftest import new_client
from ..journey import submit_plan, to_stage

pytestmark = pytest.mark.django_db

INBOX = reverse("tasks:inbox")


def open_cases(world, count, stage):
    cases = []
    for n in range(count):
        case = services.case_open(
            user=world.worker,
            client_id=new_client(world, family_name=f"Inbox{stage}{n}").pk,
            programme_id=world.programme.pk,
        )
        cases.append(to_stage(case, world, stage))
    return cases


def waiting_for_approval(world, count):
    cases = open_cases(world, count, Stage.PLANNING)
    for case in cases:
        submit_plan(reload(case), world)
    return cases


def box(client, name):
    response = client.get(INBOX, {"box": name})
    assert response.status_code == 200
    return [(row.case.pk, row.node) for row in response.context["page"]]


def queries(client, name):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(INBOX, {"box": name}).status_code == 200
    return len(captured.captured_queries)


def test_my_box_lists_my_tasks_due_first(world, client):
    training = open_cases(world, 1, Stage.TRAINING)  # due after 180 days
    planning = open_cases(world, 1, Stage.PLANNING)  # due after 21 days
    client.force_login(world.mentor)
    assert box(client, "mine") == [
        (planning[0].pk, "draft_plan"),
        (training[0].pk, "training"),
    ]


@pytest.mark.parametrize(
    ("username", "name"), [("mentor", "mine"), ("supervisor", "queue"), ("supervisor", "team")]
)
def test_a_box_takes_the_same_queries_for_two_tasks_or_thirty(world, client, username, name):
    client.force_login(getattr(world, username))
    waiting_for_approval(world, 2)
    open_cases(world, 1, Stage.TRAINING)
    few = queries(client, name)
    assert few <= 10  # session, user, roles and profile, the page's count and rows, the menu
    waiting_for_approval(world, 28)
    assert queries(client, name) == few


def test_the_queue_offers_approvals_to_the_organisations_supervisors_only(world, client):
    (case,) = waiting_for_approval(world, 1)
    for user, expected in [
        (world.supervisor, [(case.pk, "approve_plan")]),
        (world.supervisor2, [(case.pk, "approve_plan")]),
        (world.other_supervisor, []),
        (world.mentor, []),
        (world.worker, []),
    ]:
        client.force_login(user)
        assert box(client, "queue") == expected, user.username


def test_taking_a_task_moves_it_from_the_queue_to_my_box(world, client):
    (case,) = waiting_for_approval(world, 1)
    client.force_login(world.supervisor)
    (row,) = OpenTask.objects.filter(case=case)
    response = client.post(reverse("tasks:claim", args=[row.task_id]))
    assert response.status_code == 302
    assert box(client, "mine") == [(case.pk, "approve_plan")]
    assert box(client, "queue") == []
    client.force_login(world.supervisor2)
    assert box(client, "queue") == []


def test_a_task_taken_by_a_colleague_cannot_be_taken_again(world):
    (case,) = waiting_for_approval(world, 1)
    task_id = OpenTask.objects.get(case=case).task_id
    task_services.task_claim(user=world.supervisor, task_id=task_id)
    with pytest.raises(StageConflict):
        task_services.task_claim(user=world.supervisor2, task_id=task_id)
    assert OpenTask.objects.get(case=case).owner_id == world.supervisor.pk


def test_a_refused_claim_says_why_on_the_page_and_changes_nothing(world, client):
    (case,) = waiting_for_approval(world, 1)
    task_id = OpenTask.objects.get(case=case).task_id
    task_services.task_claim(user=world.supervisor, task_id=task_id)
    client.force_login(world.supervisor2)
    response = client.post(reverse("tasks:claim", args=[task_id]), follow=True)
    assert "Someone has already taken this task." in response.content.decode()
    assert OpenTask.objects.get(case=case).owner_id == world.supervisor.pk


def test_giving_a_task_back_returns_it_to_the_queue(world, client):
    (case,) = waiting_for_approval(world, 1)
    task_id = OpenTask.objects.get(case=case).task_id
    task_services.task_claim(user=world.supervisor, task_id=task_id)
    client.force_login(world.supervisor)
    assert client.post(reverse("tasks:release", args=[task_id])).status_code == 302
    assert box(client, "queue") == [(case.pk, "approve_plan")]
    assert OpenTask.objects.get(case=case).owner_id is None


def test_a_mentors_own_task_cannot_be_given_back_to_nobody(world):
    (case,) = open_cases(world, 1, Stage.TRAINING)
    task_id = OpenTask.objects.get(case=case).task_id
    with pytest.raises(NotAllowed):
        task_services.task_release(user=world.mentor, task_id=task_id)
    assert OpenTask.objects.get(case=case).owner_id == world.mentor.pk


def test_a_mentor_may_not_take_a_plan_approval_of_their_own_case(world):
    (case,) = waiting_for_approval(world, 1)
    task_id = OpenTask.objects.get(case=case).task_id
    with pytest.raises(NotAllowed):
        task_services.task_claim(user=world.mentor, task_id=task_id)


def test_a_task_of_another_organisation_is_not_found(world, client):
    (case,) = waiting_for_approval(world, 1)
    task_id = OpenTask.objects.get(case=case).task_id
    with pytest.raises(NotFound):
        task_services.task_claim(user=world.other_supervisor, task_id=task_id)
    client.force_login(world.other_supervisor)
    assert client.post(reverse("tasks:claim", args=[task_id])).status_code == 404


# Who sees which box: the team's box is the supervisors'; everyone with tasks has the others.
BOX_ACCESS = {
    "worker": {"mine": 200, "queue": 200, "team": 404},
    "mentor": {"mine": 200, "queue": 200, "team": 404},
    "supervisor": {"mine": 200, "queue": 200, "team": 200},
}


@pytest.mark.parametrize("username", sorted(BOX_ACCESS))
@pytest.mark.parametrize("name", ["mine", "queue", "team"])
def test_each_role_sees_the_boxes_it_has(world, client, username, name):
    client.force_login(getattr(world, username))
    assert client.get(INBOX, {"box": name}).status_code == BOX_ACCESS[username][name]


def test_the_team_box_shows_every_open_task_of_the_organisation_with_its_owner(world, client):
    training = open_cases(world, 1, Stage.TRAINING)
    (approval,) = waiting_for_approval(world, 1)
    client.force_login(world.supervisor)
    assert sorted(box(client, "team")) == sorted(
        [(training[0].pk, "training"), (approval.pk, "approve_plan")]
    )
    client.force_login(world.other_supervisor)
    assert box(client, "team") == []


def test_the_menu_points_to_our_inbox(world, client):
    client.force_login(world.mentor)
    page = client.get(reverse("casework:home")).content.decode()
    assert f'href="{INBOX}"' in page


def test_the_supervisors_home_lists_overdue_tasks_in_a_fixed_number_of_queries(world, client):
    def overdue_cases(count):
        for case in open_cases(world, count, Stage.PLANNING):
            (row,) = OpenTask.objects.filter(case=case).select_related("task")
            row.task.created -= datetime.timedelta(days=30)  # due after 21 days
            row.task.save(update_fields=["created"])

    client.force_login(world.supervisor)
    home = reverse("casework:home")
    overdue_cases(2)
    with CaptureQueriesContext(connection) as few:
        response = client.get(home)
    assert len(response.context["team_overdue"]) == 2
    overdue_cases(5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(home)
    assert len(response.context["team_overdue"]) == 7
    assert len(many.captured_queries) == len(few.captured_queries)
