"""The staff pages: who sees them (404 for everyone else), the list in a fixed number of
queries, and the forms going through casework.staff."""

from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.models import StaffEvent
from casework.roles import Role, roles_of

from ..factories import staff as make_staff

pytestmark = pytest.mark.django_db

User = get_user_model()


def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("supervisor", 200), ("worker", 404), ("mentor", 404)],
)
def test_the_staff_pages_are_for_admins_and_supervisors_only(world, client, who, status):
    client = logged_in(client, getattr(world, who))
    assert client.get(reverse("staff:list")).status_code == status
    assert client.get(reverse("staff:invite")).status_code == status
    assert client.get(reverse("staff:detail", args=[world.mentor2.pk])).status_code == status


def test_a_member_outside_the_users_scope_answers_404(world, client):
    client = logged_in(client, world.supervisor)
    for member in (world.other_mentor, world.supervisor2, world.admin):
        assert client.get(reverse("staff:detail", args=[member.pk])).status_code == 404
        response = client.post(reverse("staff:deactivate", args=[member.pk]), {"note": "x"})
        assert response.status_code == 404
        assert User.objects.get(pk=member.pk).is_active


def test_the_staff_list_costs_the_same_queries_for_more_staff(
    world, client, django_assert_num_queries
):
    client = logged_in(client, world.admin)
    client.get(reverse("staff:list"))  # warm the session and the permission caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("staff:list")).status_code == 200
        return len(captured)

    few = queries()
    for number in range(8):
        make_staff(Role.MENTOR, world.other_org, username=f"extra{number}")
    with django_assert_num_queries(few):
        response = client.get(reverse("staff:list"))
    assert "extra7" in response.content.decode()


def test_inviting_through_the_page_opens_the_account(
    world, client, django_capture_on_commit_callbacks
):
    client = logged_in(client, world.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff:invite"),
            {
                "email": "uj.mentor@example.org",
                "first_name": "Péter",
                "last_name": "Új",
                "organisation": world.org.pk,
                "role": Role.MENTOR,
                "language": "hu",
            },
        )
    member = User.objects.get(username="uj.mentor@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:detail", args=[member.pk])
    assert roles_of(member) == {Role.MENTOR}
    (message,) = mail.outbox
    assert "http://testserver/accounts/reset/" in message.body


def test_the_invite_form_offers_a_supervisor_only_the_roles_they_may_give(world, client):
    client = logged_in(client, world.supervisor)
    form = client.get(reverse("staff:invite")).context["form"]
    assert [value for value, _label in form.fields["role"].choices] == [
        Role.SOCIAL_WORKER,
        Role.MENTOR,
    ]
    assert list(form.fields["organisation"].queryset) == [world.org]


def test_a_refused_deactivation_shows_the_error_and_changes_nothing(world, client):
    client = logged_in(client, world.supervisor)
    response = client.post(reverse("staff:deactivate", args=[world.mentor.pk]), {"note": ""})
    assert response.status_code == 400
    assert User.objects.get(pk=world.mentor.pk).is_active
    assert not StaffEvent.objects.exists()


def test_deactivating_through_the_page_says_how_many_tasks_moved(world, client):
    client = logged_in(client, world.supervisor)
    response = client.post(
        reverse("staff:deactivate", args=[world.mentor.pk]), {"note": "left"}, follow=True
    )
    assert response.status_code == 200
    assert "0 open tasks went to the supervisors' queue" in unescape(response.content.decode())
    assert not User.objects.get(pk=world.mentor.pk).is_active
