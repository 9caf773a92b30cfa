"""The break-glass pages: the reason form for a case number outside the user's scope, and the
supervisors' review list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AccessLog
from casework import services
from privacy.models import BreakGlassGrant

from ..conftest import new_client

REASON = "Client phoned in crisis, her social worker is on leave"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [("worker", 200), ("supervisor", 200), ("mentor", 403), ("admin", 403), (None, 302)],
)
def test_who_may_open_the_break_glass_form(world, client, who, status):
    if who:
        client.force_login(getattr(world, who))
    assert client.get("/privacy/break-glass/").status_code == status


@pytest.mark.django_db
def test_stating_a_reason_opens_the_case_page_and_logs_the_access(world, case, client):
    client.force_login(world.worker)
    own = client.get(case.get_absolute_url()).content.decode()
    assert f"/cases/{case.pk}/do/" in own and f"/privacy/cases/{case.pk}/rights/" in own
    client.force_login(world.other_worker)
    assert client.get(case.get_absolute_url()).status_code == 404

    response = client.post("/privacy/break-glass/", {"number": case.number, "reason": REASON})

    assert response.status_code == 302 and response.url == case.get_absolute_url()
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200
    # For reading: the page offers no journey action (the services would refuse them).
    assert f"/cases/{case.pk}/do/" not in page.content.decode()
    assert f"/privacy/cases/{case.pk}/rights/" not in page.content.decode()
    logged = AccessLog.objects.filter(user=world.other_worker, case=case)
    assert set(logged.values_list("what", flat=True)) == {"break_glass", "case_page"}


@pytest.mark.django_db
def test_an_unknown_number_or_a_missing_reason_opens_nothing(world, case, client):
    client.force_login(world.other_worker)

    unknown = client.post("/privacy/break-glass/", {"number": "NOPE/1", "reason": REASON})
    no_reason = client.post("/privacy/break-glass/", {"number": case.number, "reason": ""})

    assert unknown.status_code == 404
    assert "No case with this number" in unknown.content.decode()
    assert no_reason.status_code == 400
    assert not BreakGlassGrant.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "title"), [("hu", "vészhozzáférés"), ("sk", "núdzový")])
def test_the_form_speaks_hungarian_and_slovak(world, client, language, title):
    client.force_login(world.worker)
    page = client.get("/privacy/break-glass/", HTTP_ACCEPT_LANGUAGE=language)
    assert title in page.content.decode().lower()


def _grants(world, count):
    for n in range(count):
        other = new_client(world, family_name=f"Other{n}")
        case = services.case_open(
            user=world.worker, client_id=other.pk, programme_id=world.programme.pk
        )
        services.case_break_glass(user=world.other_worker, number=case.number, reason=REASON)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [("supervisor", 200), ("worker", 403), ("mentor", 403), ("admin", 403)],
)
def test_who_may_see_the_review_list(world, client, who, status):
    client.force_login(getattr(world, who))
    assert client.get("/privacy/break-glass/review/").status_code == status


@pytest.mark.django_db
def test_the_review_list_shows_the_organisations_grants_in_a_fixed_number_of_queries(
    world, client, django_assert_num_queries
):
    client.force_login(world.supervisor)
    _grants(world, 1)
    client.get("/privacy/break-glass/review/")  # warm the session and permission caches
    with CaptureQueriesContext(connection) as one:
        client.get("/privacy/break-glass/review/")
    _grants(world, 3)

    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get("/privacy/break-glass/review/")

    assert page.content.decode().count(REASON) == 4
    client.force_login(world.other_supervisor)
    assert REASON not in client.get("/privacy/break-glass/review/").content.decode()


@pytest.mark.django_db
def test_a_supervisor_marks_a_grant_reviewed_from_the_list(world, case, client):
    grant = services.case_break_glass(user=world.other_worker, number=case.number, reason=REASON)
    client.force_login(world.other_supervisor)
    assert (
        client.post(f"/privacy/break-glass/{grant.pk}/reviewed/", {"note": "x"}).status_code == 404
    )
    client.force_login(world.supervisor)

    response = client.post(f"/privacy/break-glass/{grant.pk}/reviewed/", {"note": "Justified"})

    assert response.status_code == 302
    grant.refresh_from_db()
    assert (grant.reviewed_by, grant.review_note) == (world.supervisor, "Justified")
    assert "Justified" in client.get("/privacy/break-glass/review/").content.decode()
