"""The timeline merges the history of the case and everything attached to it, each entry with
its time, user, translated action and field-level diff (choice labels, related records by
name); special-category values stay hidden from roles not entitled to them."""

import pytest
from django.urls import reverse

from audit import selectors
from casework.models import Attendance
from casework.roles import Role

from ..factories import staff
from .support import busy_case


def everything(user, case):
    return selectors.timeline(user=user, case=case, size=1000).entries


def find(entries, record_type, reason=None, action=None):
    found = [
        e
        for e in entries
        if e.record_type == record_type
        and (reason is None or e.reason_code == reason)
        and (action is None or e.action == action)
    ]
    assert found, (record_type, reason, action)
    return found


def changes(entry) -> dict[str, tuple[str, str]]:
    return {c.field: (c.old_text, c.new_text) for c in entry.changes}


def name(user) -> str:
    return user.get_full_name() or user.username


@pytest.fixture
def entries(world, case):
    busy_case(case, world)
    return everything(world.supervisor, case)


@pytest.mark.django_db
def test_case_entries_show_stages_by_label_and_people_by_name(entries, world):
    (assign,) = find(entries, "case", "case.assign_mentor")
    assert assign.user == name(world.worker)
    assert assign.action == "assigned the mentor"
    assert changes(assign) == {"mentor": ("—", name(world.mentor))}
    (suspend,) = find(entries, "case", "case.suspend")
    assert suspend.action == "suspended the case"
    assert suspend.note == "moved to Budapest for work"
    assert changes(suspend)["stage"] == ("development plan", "suspended")
    assert changes(suspend)["suspended_from"] == ("—", "development plan")
    (closing,) = [e for e in find(entries, "case", "case.advance") if e.stage == "closed"]
    assert changes(closing)["outcome"] == ("—", "completed the programme")


@pytest.mark.django_db
def test_client_entries_show_each_changed_field(entries, world):
    register, phone, groups = sorted(find(entries, "client"), key=lambda e: e.at)
    assert register.action == "registered the client"
    assert changes(register)["labour_market_status"] == ("—", "long-term unemployed")
    assert changes(register)["target_groups"] == ("—", "single parent, long-term unemployed")
    assert changes(phone) == {"phone": ("—", "+36 1")}
    assert changes(groups) == {
        "target_groups": (
            "single parent, long-term unemployed",
            "single parent, homeless or housing-excluded",
        )
    }
    assert groups.user == name(world.supervisor)


@pytest.mark.django_db
def test_plan_and_goal_entries(entries, world):
    (approve,) = find(entries, "plan", "plan.approve")
    assert changes(approve)["status"] == ("submitted for approval", "approved")
    assert changes(approve)["approved_by"] == ("—", name(world.supervisor))
    (create,) = find(entries, "plan", "plan.create")
    assert changes(create)["author"] == ("—", name(world.mentor))
    (added,) = find(entries, "goal", "goal.add")
    assert added.object_label == "Find work within six months"
    assert changes(added)["area"] == ("—", "employment")
    (achieved,) = find(entries, "goal", "goal.mark_achieved")
    assert changes(achieved) == {"achieved": ("no", "yes")}


@pytest.mark.django_db
def test_session_and_attendance_entries(entries, case):
    sessions = find(entries, "session", "session.record")
    assert len(sessions) == 2
    assert changes(sessions[0])["kind"] == ("—", "competence training")
    (corrected,) = find(entries, "attendance", "attendance.correct")
    first = Attendance.objects.filter(case=case).order_by("id").first().session
    assert corrected.object_label.startswith(first.topic)
    assert changes(corrected) == {"present": ("yes", "no")}


@pytest.mark.django_db
def test_screening_placement_follow_up_and_referral_entries(entries, world):
    (screening,) = find(entries, "screening")
    assert changes(screening)["status"] == ("—", "declined by the client")
    (placement,) = find(entries, "placement")
    assert changes(placement)["contract_type"] == ("—", "fixed-term contract")
    assert changes(placement)["exit_outcome"] == ("—", "employed")
    recorded = find(entries, "follow_up", "follow_up.record")
    assert {changes(e)["status"] for e in recorded} == {("pending", "client reached")}
    assert {e.object_label for e in recorded} == {
        "first follow-up (4 weeks)",
        "second follow-up (6 months)",
    }
    (answer,) = find(entries, "referral", "referral.answer")
    assert answer.object_label == "Labour office: Job fair"
    assert changes(answer)["status"] == ("sent", "answered")


@pytest.mark.django_db
def test_workflow_tasks_appear_with_their_owner(entries, world):
    done = find(entries, "task", action="task done")
    titles = {e.object_label: e.user for e in done}
    assert titles["Complete the intake"] == name(world.worker)
    assert titles["Approve the development plan"] == name(world.supervisor)
    assert titles["Follow the client up"] == name(world.mentor)
    cancelled = find(entries, "task", action="task cancelled")
    assert [e.object_label for e in cancelled] == ["Draft the development plan"]


@pytest.mark.django_db
def test_entries_are_newest_first_with_a_stage_each(entries):
    moments = [e.at for e in entries]
    assert moments == sorted(moments, reverse=True)
    assert all(e.stage for e in entries if e.record_type not in ("client", "session"))


@pytest.mark.django_db
def test_special_category_values_are_hidden_from_roles_not_entitled(world, case):
    busy_case(case, world)
    # The target groups may reveal a special category in history written before those moved
    # to privacy: a role not entitled to every category of the case sees "changed" only. A
    # mentor may not open the timeline at all; the selector still masks for such a role.
    entries = everything(world.mentor, case)
    groups = sorted(find(entries, "client"), key=lambda e: e.at)[-1]
    (change,) = groups.changes
    assert change.masked
    assert change.as_json() == {
        "field": "target_groups",
        "label": "Target groups",
        "changed": True,
        "masked": True,
    }


@pytest.mark.django_db
def test_the_page_shows_a_hidden_special_category_change_as_changed(world, case, client):
    busy_case(case, world)
    # A social worker of the organisation who is not the case's own sees the timeline, not
    # the special categories (privacy.special).
    client.force_login(staff(Role.SOCIAL_WORKER, world.org, username="worker_next_desk"))

    page = client.get(reverse("audit:case_timeline", args=[case.pk]) + "?record_type=client")

    html = page.content.decode()
    assert 'data-field="target_groups">changed' in html
    assert 'data-field="phone"><del>—</del> → <ins>+36 1</ins>' in html


@pytest.mark.django_db
def test_the_page_shows_diffs_to_a_supervisor(world, case, client):
    busy_case(case, world)
    client.force_login(world.supervisor)

    page = client.get(reverse("audit:case_timeline", args=[case.pk]) + "?record_type=client")

    assert (
        'data-field="target_groups"><del>single parent, long-term unemployed</del> → '
        "<ins>single parent, homeless or housing-excluded</ins>"
    ) in page.content.decode()
