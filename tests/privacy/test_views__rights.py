"""The erasure and restriction pages: a case's requests with the forms of the user's role, and
the organisation's list, decisions waiting first."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import services
from notifications.events import Event
from notifications.models import Notification
from privacy import services as privacy_services
from privacy.models import RightsRequest, RightsRequestKind, RightsRequestStatus

from ..conftest import new_client
from ..journey import TODAY


def _url(case):
    return f"/privacy/cases/{case.pk}/rights/"


def _record(world, case, kind=RightsRequestKind.RESTRICTION, details="By letter"):
    return privacy_services.rights_request_record(
        user=world.worker, case=case, kind=kind, received_on=TODAY, details=details
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status", "record_form", "decide_form"),
    [
        ("worker", 200, True, False),
        ("supervisor", 200, True, True),
        ("mentor", 404, False, False),
        ("admin", 404, False, False),
        ("other_worker", 404, False, False),
        ("other_supervisor", 404, False, False),
    ],
)
def test_the_case_page_of_requests_by_role(
    world, case, client, who, status, record_form, decide_form
):
    _record(world, case)
    client.force_login(getattr(world, who))

    response = client.get(_url(case))

    assert response.status_code == status
    page = response.content.decode()
    assert (f"/privacy/cases/{case.pk}/rights/record/" in page) is record_form
    assert ("/decide/" in page) is decide_form


@pytest.mark.django_db
def test_a_break_glass_grant_does_not_open_the_requests(world, case, client):
    services.case_break_glass(
        user=world.other_supervisor, number=case.number, reason="Emergency cover for a colleague"
    )
    client.force_login(world.other_supervisor)

    assert client.get(case.get_absolute_url()).status_code == 200
    assert client.get(_url(case)).status_code == 404


@pytest.mark.django_db
def test_a_social_worker_records_and_a_supervisor_decides_on_the_pages(world, case, client):
    client.force_login(world.worker)
    client.post(
        f"/privacy/cases/{case.pk}/rights/record/",
        {"kind": RightsRequestKind.RESTRICTION, "received_on": TODAY.isoformat(), "details": "x"},
    )
    request = RightsRequest.objects.get(case=case)
    told = Notification.objects.filter(event=Event.RIGHTS_REQUESTED)
    assert {n.recipient for n in told} == {world.supervisor, world.supervisor2}
    assert (
        client.post(f"/privacy/rights/{request.pk}/decide/", {"decision": "approve"}).status_code
        == 403
    )
    client.force_login(world.supervisor)

    client.post(f"/privacy/rights/{request.pk}/decide/", {"decision": "approve", "note": "ok"})

    request.refresh_from_db()
    assert request.status == RightsRequestStatus.IN_FORCE
    page = client.get(_url(case)).content.decode()
    assert "Processing of this case is restricted" in page and "/lift/" in page
    client.post(f"/privacy/rights/{request.pk}/lift/", {"note": "Corrected"})
    request.refresh_from_db()
    assert request.status == RightsRequestStatus.LIFTED


@pytest.mark.django_db
def test_an_erasure_under_the_retention_hold_says_until_when(world, case, client):
    services.case_close_early(user=world.worker, case_id=case.pk, outcome="other", reason="left")
    request = _record(world, case, kind=RightsRequestKind.ERASURE)
    client.force_login(world.supervisor)

    response = client.post(
        f"/privacy/rights/{request.pk}/decide/", {"decision": "approve"}, follow=True
    )

    page = response.content.decode()
    assert "retention hold applies until 2038-12-31" in page
    assert RightsRequest.objects.get(pk=request.pk).status == RightsRequestStatus.WAITING


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [("supervisor", 200), ("worker", 200), ("mentor", 404), ("admin", 404)],
)
def test_who_may_see_the_organisations_list(world, client, who, status):
    client.force_login(getattr(world, who))
    assert client.get("/privacy/rights/").status_code == status


@pytest.mark.django_db
def test_the_list_shows_pending_first_in_a_fixed_number_of_queries(
    world, case, client, django_assert_num_queries
):
    decided = _record(world, case, details="first")
    privacy_services.rights_request_decide(
        user=world.supervisor, request=decided, approve=False, note="no"
    )
    client.force_login(world.supervisor)
    client.get("/privacy/rights/")
    with CaptureQueriesContext(connection) as one:
        client.get("/privacy/rights/")
    for n in range(3):
        other = new_client(world, family_name=f"Other{n}")
        other_case = services.case_open(
            user=world.worker, client_id=other.pk, programme_id=world.programme.pk
        )
        _record(world, other_case)

    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get("/privacy/rights/").content.decode()

    assert page.count("waiting for a supervisor") == 3
    assert page.index("waiting for a supervisor") < page.index("rejected")
    client.force_login(world.other_supervisor)
    assert "waiting for a supervisor" not in client.get("/privacy/rights/").content.decode()
