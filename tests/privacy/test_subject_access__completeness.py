"""The Done-when test of subject access (GDPR Art. 15): every row in the database that refers
to the planted client is in its export, found against the model graph by an oracle written
apart from the implementation, and nothing of another client is."""

import json

import pytest
from django.urls import reverse

from audit.subject_access import subject_access_export
from privacy import subject_access

from .subject_access_support import planted_client, rows_referring_to

EVERY_KIND_OF_RECORD = {
    "casework.client",
    "casework.historicalclient",
    "casework.case",
    "casework.historicalcase",
    "casework.developmentplan",
    "casework.historicaldevelopmentplan",
    "casework.goal",
    "casework.historicalgoal",
    "casework.attendance",
    "casework.historicalattendance",
    "casework.healthscreening",
    "casework.historicalhealthscreening",
    "casework.placement",
    "casework.historicalplacement",
    "casework.followup",
    "casework.historicalfollowup",
    "casework.referral",
    "casework.historicalreferral",
    "privacy.consent",
    "privacy.historicalconsent",
    "community.eventattendee",
    "community.historicaleventattendee",
    "audit.accesslog",
    "audit.chainlink",
    "audit.chainhead",
    "audit.reviewsignoff",
    "audit.historicalreviewsignoff",
    "notifications.notification",
    "notifications.overduealert",
    "viewflow.process",
    "viewflow.task",
    "admin.logentry",
}


def exported_ids(export) -> dict[str, set]:
    return {
        section["model"]: {row["id"] for row in section["rows"]}
        for section in export.data["sections"]
    }


@pytest.fixture
def two_clients(world):
    planted = planted_client(world, family_name="Lakatos", given_name="Erzsébet")
    other = planted_client(world, family_name="Szabó", given_name="Tibor", full=False)
    return planted, other


def test_no_column_holds_an_id_the_walk_does_not_know_about():
    assert subject_access.undeclared_id_columns() == []


@pytest.mark.django_db
def test_the_export_holds_every_row_that_refers_to_the_client_and_nothing_of_another(
    world, two_clients
):
    planted, other = two_clients

    export = subject_access_export(user=world.supervisor, client_id=planted.client_id)

    expected = rows_referring_to(planted.client)  # after the export: its own read-log entry
    assert set(expected) >= EVERY_KIND_OF_RECORD, "the planted world misses a kind of record"
    exported = exported_ids(export)
    missing = {
        label: ids - exported.get(label, set())
        for label, ids in expected.items()
        if ids - exported.get(label, set())
    }
    extra = {
        label: ids - expected.get(label, set())
        for label, ids in exported.items()
        if ids - expected.get(label, set())
    }
    assert missing == {}
    assert extra == {}
    others = rows_referring_to(other.client)
    shared = {label: ids & exported.get(label, set()) for label, ids in others.items()}
    assert {label: ids for label, ids in shared.items() if ids} == {}
    text = json.dumps(export.data, ensure_ascii=False)
    assert "Lakatos" in text and "Erzsébet" in text
    assert "Szabó" not in text and "Tibor" not in text and other.number not in text
    print(f"\nsubject access: {sum(map(len, exported.values()))} rows in {len(exported)} tables")


@pytest.mark.django_db
def test_a_deleted_goal_is_exported_from_its_history(world, two_clients):
    planted, _other = two_clients
    export = subject_access_export(user=world.worker, client_id=planted.client_id)

    goals = next(s for s in export.data["sections"] if s["model"] == "casework.historicalgoal")
    deleted = [row for row in goals["rows"] if row["values"]["history_type"] == "-"]
    assert [row["values"]["description"] for row in deleted] == ["Second goal"]


@pytest.mark.django_db
def test_each_section_names_the_model_and_labels_its_fields_and_values(world, two_clients):
    planted, _other = two_clients
    export = subject_access_export(user=world.worker, client_id=planted.client_id, language="en")

    client = export.data["sections"][0]
    assert client["model"] == "casework.client"
    assert client["verbose_name"] == "client"
    assert client["fields"]["family_name"] == "family name"
    (row,) = client["rows"]
    assert row["values"]["family_name"] == "Lakatos"
    assert row["display"]["gender"] == "female"
    assert row["display"]["organisation"] == world.org.name
    assert row["values"]["target_groups"] == ["single_parent", "long_term_unemployed"]
    assert row["display"]["target_groups"] == "single parent, long-term unemployed"
    case = next(s for s in export.data["sections"] if s["model"] == "casework.case")
    assert case["rows"][0]["display"]["social_worker"] == (
        world.worker.get_full_name() or world.worker.username
    )
    links = next(s for s in export.data["sections"] if s["model"] == "audit.chainlink")
    assert "salts" not in links["fields"] and "salts" not in links["rows"][0]["values"]
    assert links["withheld_fields"] == ["digest", "hash", "salts", "schema"]


@pytest.mark.django_db
def test_the_export_says_with_whom_the_data_was_shared_and_who_read_it(world, two_clients):
    planted, _other = two_clients
    export = subject_access_export(user=world.supervisor, client_id=planted.client_id)

    shared = {(item["kind"], item["recipient"]) for item in export.data["shared_with"]}
    assert ("referral", world.labour_office.name) in shared
    assert ("sharing_consent", world.labour_office.name) in shared
    assert ("sharing_consent", world.health_office.name) in shared
    readers = {(item["user"], item["action"]): item["times"] for item in export.data["read_by"]}
    name = world.supervisor.get_full_name() or world.supervisor.username
    assert readers[(name, "view")] == 1
    assert readers[(name, "export")] == 1  # this very request


@pytest.mark.django_db
def test_the_json_download_is_the_same_export(world, two_clients, client):
    planted, _other = two_clients
    client.force_login(world.worker)

    response = client.get(reverse("privacy:subject_access_json", args=[planted.client_id]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["subject"]["id"] == planted.client_id
    assert {s["model"] for s in data["sections"]} >= EVERY_KIND_OF_RECORD
