"""Staff management (casework.staff): who manages whom, the invitation and reset e-mails after
commit, role changes, and deactivation handing open tasks to the supervisors' take-over queue."""

from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction

from casework import services, staff
from casework.models import StaffEvent, StaffEventKind
from casework.roles import Role, roles_of
from casework.selectors import users_with_queue_permission
from kernel.errors import InvalidInput, NotAllowed, NotFound
from notifications.events import Event
from notifications.models import Notification
from workflows import engine

from ..journey import complete_intake

pytestmark = pytest.mark.django_db

User = get_user_model()
LINK_BASE = "https://lepes.example.org/"


def invite(world, *, by=None, **overrides):
    data = {
        "email": "Nagy.Eszter@Example.org",
        "first_name": "Eszter",
        "last_name": "Nagy",
        "organisation_id": world.org.pk,
        "role": Role.MENTOR,
        "language": "hu",
        "link_base": LINK_BASE,
        **overrides,
    }
    return staff.staff_invite(user=by or world.supervisor, **data)


def fresh(user):
    return User.objects.get(pk=user.pk)


# -- who manages whom -----------------------------------------------------------------------

MANAGES = [
    # actor, member, manages
    ("admin", "worker", True),
    ("admin", "supervisor", True),
    ("admin", "other_mentor", True),  # another organisation of the admin's programme
    ("supervisor", "worker", True),
    ("supervisor", "mentor", True),
    ("supervisor", "supervisor2", False),  # a supervisor does not manage supervisors
    ("supervisor", "admin", False),
    ("supervisor", "other_mentor", False),  # another organisation
    ("worker", "mentor", False),
    ("mentor", "mentor2", False),
]


@pytest.mark.parametrize(("actor", "member", "manages"), MANAGES)
def test_each_role_manages_exactly_the_staff_of_its_scope(world, actor, member, manages):
    actor, member = getattr(world, actor), getattr(world, member)
    visible = set(staff.staff_visible_to(user=actor).values_list("pk", flat=True))
    assert (member.pk in visible) is manages
    if manages:
        assert staff.staff_get(user=actor, staff_id=member.pk) == member
    else:
        with pytest.raises((NotFound, NotAllowed)):
            staff.staff_change_role(user=actor, staff_id=member.pk, role=Role.SOCIAL_WORKER)


def test_nobody_changes_their_own_account(world):
    with pytest.raises(NotAllowed):
        staff.staff_change_role(user=world.admin, staff_id=world.admin.pk, role=Role.SUPERVISOR)
    with pytest.raises(NotAllowed):
        staff.staff_deactivate(user=world.supervisor, staff_id=world.supervisor.pk, note="x")


# -- invitation ------------------------------------------------------------------------------


def test_an_invitation_opens_the_account_and_mails_the_link_only_after_commit(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        member = invite(world)
        assert mail.outbox == []
    for callback in callbacks:
        callback()

    member = fresh(member)
    assert member.username == "nagy.eszter@example.org"
    assert not member.has_usable_password()
    assert member.staff_profile.organisation == world.org
    assert member.staff_profile.language == "hu"
    assert roles_of(member) == {Role.MENTOR}
    event = StaffEvent.objects.get(staff=member)
    assert (event.kind, event.role_after, event.made_by) == (
        StaffEventKind.INVITED,
        Role.MENTOR,
        world.supervisor,
    )
    history = event.history.get()
    assert (history.history_user, history.history_change_reason) == (
        world.supervisor,
        "staff.invited",
    )
    (message,) = mail.outbox
    assert message.to == ["nagy.eszter@example.org"]
    assert "Lépés" in message.subject
    # Written in the new member's language (Hungarian), with a working one-time link.
    assert "nagy.eszter@example.org" in message.body
    link = next(line for line in message.body.splitlines() if line.startswith(LINK_BASE))
    assert "/accounts/reset/" in link


def test_an_invitation_that_rolls_back_sends_no_mail_and_leaves_no_account(
    world, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invite(world)
        raise RuntimeError("the surrounding work failed")
    assert mail.outbox == []
    assert not User.objects.filter(username="nagy.eszter@example.org").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": "worker@example.org"}, "email"),  # the world's worker has it
        ({"first_name": "  "}, "first_name"),
        ({"role": "janitor"}, "role"),
        ({"role": Role.SUPERVISOR}, "role"),  # not a supervisor's to give
        ({"language": "de"}, "language"),
    ],
)
def test_a_bad_invitation_is_refused_by_field_and_writes_nothing(world, overrides, field):
    before = (User.objects.count(), StaffEvent.objects.count())
    with pytest.raises(InvalidInput) as refused:
        invite(world, **overrides)
    assert field in refused.value.field_errors
    assert (User.objects.count(), StaffEvent.objects.count()) == before
    assert mail.outbox == []


def test_a_supervisor_invites_only_into_their_own_organisation(world):
    with pytest.raises(InvalidInput) as refused:
        invite(world, organisation_id=world.other_org.pk)
    assert "organisation" in refused.value.field_errors
    # The programme admin may: the other organisation is in their programme's consortium.
    member = invite(world, by=world.admin, organisation_id=world.other_org.pk, role=Role.SUPERVISOR)
    assert member.staff_profile.organisation == world.other_org


def test_roles_below_manager_cannot_invite(world):
    for user in (world.worker, world.mentor):
        with pytest.raises(NotAllowed):
            invite(world, by=user)


# -- role change -----------------------------------------------------------------------------


def test_a_role_change_swaps_the_role_group_records_both_and_closes_open_pages(world):
    with mock.patch("casework.staff.revoke_sockets") as revoke:
        staff.staff_change_role(
            user=world.supervisor, staff_id=world.mentor2.pk, role=Role.SOCIAL_WORKER, note="team"
        )
    assert roles_of(fresh(world.mentor2)) == {Role.SOCIAL_WORKER}
    event = StaffEvent.objects.get(staff=world.mentor2)
    assert (event.role_before, event.role_after, event.note) == (
        Role.MENTOR,
        Role.SOCIAL_WORKER,
        "team",
    )
    assert event.history.get().history_change_reason == "staff.role_changed"
    revoke.assert_called_once_with(world.mentor2.pk)


# -- deactivation ----------------------------------------------------------------------------


@pytest.fixture
def planning_case(world, case):
    """A case at planning: its open task (draft the plan) is the mentor's."""
    return complete_intake(case, world)


def test_deactivation_moves_open_tasks_to_the_supervisors_queue_and_tells_them(
    world, planning_case, django_capture_on_commit_callbacks
):
    (task,) = engine.open_tasks(planning_case)
    assert task.owner == world.mentor
    with django_capture_on_commit_callbacks(execute=True):
        _member, moved = staff.staff_deactivate(
            user=world.supervisor, staff_id=world.mentor.pk, note="left the organisation"
        )
    assert moved == 1
    assert not fresh(world.mentor).is_active
    (task,) = engine.open_tasks(planning_case)
    assert task.owner is None
    # Offered to the supervisors of the case's organisation, who are told.
    claimants = {user.username for user in engine_claimants(task, planning_case)}
    assert claimants == {"supervisor", "supervisor2"}
    told = set(
        Notification.objects.filter(event=Event.TASK_QUEUED, task_id=task.pk).values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"supervisor", "supervisor2"}
    event = StaffEvent.objects.get(staff=world.mentor)
    assert (event.kind, event.note, event.made_by) == (
        StaffEventKind.DEACTIVATED,
        "left the organisation",
        world.supervisor,
    )


def engine_claimants(task, case):
    return users_with_queue_permission(task.owner_permission, case=case)


def test_a_new_mentor_takes_over_the_queued_tasks_of_a_deactivated_one(world, planning_case):
    staff.staff_deactivate(user=world.supervisor, staff_id=world.mentor.pk, note="left")
    services.case_assign_mentor(
        user=world.supervisor, case_id=planning_case.pk, mentor_id=world.mentor2.pk
    )
    (task,) = engine.open_tasks(planning_case)
    assert task.owner == world.mentor2
    assert Notification.objects.filter(
        recipient=world.mentor2, event=Event.TASK_ASSIGNED, task_id=task.pk
    ).exists()


def logs_in(client, username: str, password: str) -> bool:
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


def test_a_deactivated_account_cannot_log_in_and_can_be_reactivated(world, client):
    world.mentor.set_password("pw")
    world.mentor.save()
    staff.staff_deactivate(user=world.supervisor, staff_id=world.mentor.pk, note="leave")
    assert not logs_in(client, "mentor", "pw")
    with pytest.raises(InvalidInput):
        staff.staff_deactivate(user=world.supervisor, staff_id=world.mentor.pk, note="again")
    staff.staff_reactivate(user=world.supervisor, staff_id=world.mentor.pk)
    assert logs_in(client, "mentor", "pw")
    assert list(
        StaffEvent.objects.filter(staff=world.mentor).order_by("pk").values_list("kind", flat=True)
    ) == [StaffEventKind.DEACTIVATED, StaffEventKind.REACTIVATED]


def test_deactivation_needs_a_reason_and_writes_nothing_without_one(world, planning_case):
    with pytest.raises(InvalidInput) as refused:
        staff.staff_deactivate(user=world.supervisor, staff_id=world.mentor.pk, note=" ")
    assert "note" in refused.value.field_errors
    assert fresh(world.mentor).is_active
    (task,) = engine.open_tasks(planning_case)
    assert task.owner == world.mentor
    assert not StaffEvent.objects.exists()


# -- password reset --------------------------------------------------------------------------


def test_a_password_reset_mails_a_link_that_sets_a_new_password(
    world, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff.staff_send_password_reset(
            user=world.supervisor, staff_id=world.mentor.pk, link_base=LINK_BASE
        )
    (message,) = mail.outbox
    link = next(line for line in message.body.splitlines() if line.startswith(LINK_BASE))
    path = "/" + link.removeprefix(LINK_BASE)
    # Django's confirm view swaps the token for a session-bound URL, then takes the password.
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-Secret-41", "new_password2": "a-long-Secret-41"},
    )
    assert done.status_code == 302
    assert fresh(world.mentor).check_password("a-long-Secret-41")
    assert StaffEvent.objects.get(staff=world.mentor).kind == StaffEventKind.PASSWORD_RESET
