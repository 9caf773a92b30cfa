"""Opening or exporting a client's record writes an access entry (who, when, what); a supervisor
lists who viewed a client."""

import pytest
from django.urls import reverse

from audit.access import record_access
from audit.models import AccessAction, AccessLog


@pytest.mark.django_db
def test_record_access_logs_who_viewed_which_client_when_and_through_what(world, case):
    entry = record_access(
        user=world.worker, client=case.client, case=case, action="view", what="case_page"
    )

    assert (entry.user, entry.client, entry.case, entry.action, entry.what) == (
        world.worker,
        case.client,
        case,
        AccessAction.VIEW,
        "case_page",
    )
    assert entry.at is not None


@pytest.mark.django_db
def test_record_access_takes_primary_keys_too_and_refuses_unknown_actions(world, case):
    record_access(user=world.worker, client=case.client_id, case=case.pk, action="export")
    assert AccessLog.objects.get().action == AccessAction.EXPORT
    with pytest.raises(ValueError):
        record_access(user=world.worker, client=case.client_id, action="edit")


@pytest.mark.django_db
def test_the_audit_pages_and_exports_log_their_reads(world, case, client):
    client.force_login(world.supervisor)
    urls = {
        "audit_timeline": reverse("audit:case_timeline", args=[case.pk]),
        "audit_as_of": reverse("audit:case_as_of", args=[case.pk]) + "?on=2030-01-01",
        "audit_export_csv": reverse("audit:case_export_csv", args=[case.pk]),
        "audit_export_json": reverse("audit:case_export_json", args=[case.pk]),
    }
    for url in urls.values():
        assert client.get(url).status_code == 200

    logged = {
        log.what: log.action
        for log in AccessLog.objects.filter(user=world.supervisor, client=case.client, case=case)
    }
    assert logged == {
        "audit_timeline": AccessAction.VIEW,
        "audit_as_of": AccessAction.VIEW,
        "audit_export_csv": AccessAction.EXPORT,
        "audit_export_json": AccessAction.EXPORT,
    }


@pytest.mark.django_db
def test_a_refused_read_is_not_an_access(world, case, client):
    client.force_login(world.other_supervisor)
    assert client.get(reverse("audit:case_timeline", args=[case.pk])).status_code == 404
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_a_supervisor_lists_who_viewed_a_client(world, case, client):
    record_access(user=world.worker, client=case.client, case=case, what="case_page")
    record_access(user=world.worker, client=case.client, case=case, what="case_page")
    record_access(user=world.mentor, client=case.client, case=case, what="case_page")
    client.force_login(world.supervisor)

    page = client.get(reverse("audit:client_access", args=[case.client_id]))

    assert page.status_code == 200
    viewers = {row["user__username"]: row["views"] for row in page.context["page"].viewers}
    assert viewers == {"worker": 2, "mentor": 1}
    html = page.content.decode()
    assert "2 accesses, last" in html
    assert html.count("case_page") == 3


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["worker", "mentor", "admin", "other_supervisor"])
def test_only_a_supervisor_of_the_clients_organisation_sees_who_viewed_it(
    world, case, client, username
):
    client.force_login(getattr(world, username))
    page = client.get(reverse("audit:client_access", args=[case.client_id]))
    assert page.status_code == 404
