"""The case page's special-category section: shown, recorded and corrected by entitled roles
only, in Hungarian, Slovak and English."""

import pytest
from django.urls import reverse

from casework.journey import Stage
from casework.roles import Role
from privacy import services
from privacy.models import SpecialCategory, SpecialCategoryRecord

from ..factories import staff
from ..journey import to_stage

pytestmark = pytest.mark.django_db


def _post(client, case, category, **data):
    url = reverse("privacy:special_category_record", args=[case.pk, category])
    return client.post(url, data)


def test_the_cases_social_worker_records_and_corrects_from_the_case_page(world, case, client):
    client.force_login(world.worker)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="special-categories"' in page and page.count('<h3 id="special-') == 4

    response = _post(client, case, "ethnicity", answer="yes", minority="roma", note="")
    assert response.status_code == 302
    assert response["Location"].endswith("#special-ethnicity")
    record = SpecialCategoryRecord.objects.get()
    assert (record.answer, record.minority, record.recorded_by) == ("yes", "roma", world.worker)

    # A correction without a reason is refused, and says what is missing.
    response = _post(client, case, "ethnicity", answer="declined", minority="", note="")
    page = client.get(response["Location"]).content.decode()
    assert "Say why the record is corrected." in page
    assert SpecialCategoryRecord.objects.get().answer == "yes"

    _post(client, case, "ethnicity", answer="declined", minority="", note="", reason="asked again")
    page = client.get(case.get_absolute_url()).content.decode()
    assert SpecialCategoryRecord.objects.get().answer == "declined"
    assert "declined to answer" in page and "asked again" in page
    assert "2 versions" in page


def test_a_social_worker_not_on_the_case_sees_no_section_and_cannot_post(world, case, client):
    services.special_category_record(
        user=world.worker, case=case, category="health", answer="yes", note="asthma"
    )
    client.force_login(staff(Role.SOCIAL_WORKER, world.org, username="worker_next_desk"))
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200
    assert 'id="special-categories"' not in page.content.decode()
    assert "asthma" not in page.content.decode()

    response = _post(client, case, "health", answer="no", note="", reason="x")
    assert response.status_code == 404
    assert SpecialCategoryRecord.objects.get().answer == "yes"


def test_the_mentor_sees_only_the_category_a_goal_grants_and_records_nothing(world, case, client):
    case = to_stage(case, world, Stage.TRAINING)  # approved plan: an employment goal
    for category in SpecialCategory.values:
        services.special_category_record(
            user=world.worker, case=case, category=category, answer="yes", note=f"n-{category}"
        )
    client.force_login(world.mentor)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "n-disability" in page
    assert "n-health" not in page and "n-ethnicity" not in page and "n-criminal" not in page
    assert 'action="/privacy/cases/' not in page.split('id="special-categories"')[1]

    assert _post(client, case, "disability", answer="no", reason="x").status_code == 302
    assert SpecialCategoryRecord.objects.get(category="disability").answer == "yes"
    assert _post(client, case, "health", answer="no", reason="x").status_code == 404


@pytest.mark.parametrize(
    ("language", "heading", "declined"),
    [
        ("hu", "Különleges adatok", "nem kívánt válaszolni"),
        ("sk", "Osobitné kategórie údajov", "odpoveď odmietnutá"),
        ("en", "Special categories of data", "declined to answer"),
    ],
)
def test_the_section_speaks_the_users_language(world, case, client, language, heading, declined):
    services.special_category_record(
        user=world.worker, case=case, category="criminal_record", answer="declined"
    )
    client.force_login(world.worker)
    page = client.get(case.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)
    html = page.content.decode()
    assert heading in html and declined in html


def _posted(rf):
    # Built here, not written out in the test: a report quotes each frame's source lines and
    # variables, the test's own included.
    note, reason = "q".join(["", "secretnote", "z"]), "q".join(["", "reason", "z"])
    return rf.post("/", {"answer": "yes", "minority": "", "note": note, "reason": reason})


def test_an_error_report_carries_no_value_of_the_request_or_the_service(
    world, case, rf, monkeypatch
):
    import sys

    from django.views.debug import ExceptionReporter

    from web.privacy import views

    def broken(*args, **kwargs):
        raise RuntimeError("storage failed")

    monkeypatch.setattr(services, "save_with_history", broken)
    request = _posted(rf)
    request.user = world.worker
    request._dont_enforce_csrf_checks = True
    try:
        views.special_category_record(request, case.pk, "health")
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info())
        text = report.get_traceback_text() + report.get_traceback_html()
    else:
        pytest.fail("the service did not fail")
    assert "storage failed" in text  # the report is there, without the values
    assert request.POST["note"] not in text and request.POST["reason"] not in text
