"""The API answers the same subject access export as the page, with the same permission cells
(out of scope 404, another role 403) and the same read-log trace."""

import pytest

from audit.models import AccessLog
from audit.subject_access import REASON
from casework import services

from ..api.support import api_client, assert_error, url


@pytest.mark.django_db
def test_the_cases_social_worker_gets_the_export_and_it_is_logged(world, case):
    response = api_client(world.worker).get(url("client_subject_access", case.client_id))

    assert response.status_code == 200
    assert response["Content-Language"] == "hu"
    body = response.json()
    assert body["subject"]["id"] == case.client_id
    assert {"casework.client", "casework.case"} <= {s["model"] for s in body["sections"]}
    assert AccessLog.objects.filter(user=world.worker, what=REASON).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, status, code",
    [
        ("mentor", 403, "not_allowed"),
        ("admin", 404, "not_found"),
        ("other_supervisor", 404, "not_found"),
    ],
)
def test_other_roles_are_refused_and_nothing_is_logged(world, case, name, status, code):
    services.case_assign_mentor(user=world.worker, case_id=case.pk, mentor_id=world.mentor.pk)
    response = api_client(getattr(world, name)).get(url("client_subject_access", case.client_id))

    assert_error(response, status, code)
    assert case.client.family_name not in response.content.decode()
    assert not AccessLog.objects.filter(what=REASON).exists()
