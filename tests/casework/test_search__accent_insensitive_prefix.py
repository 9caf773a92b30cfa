"""Finding people as staff type them: accents and case aside, names by their beginning, case
numbers by any part, always inside the user's scope."""

import pytest
from django.db import connection

from casework import selectors, services
from casework.search import folded

from ..conftest import new_client


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Kovács", "kovacs"),
        ("Szabóová", "szaboova"),
        ("Őri  Ildikó", "ori ildiko"),
        ("Ľubomír Čierny", "lubomir cierny"),
        ("GROSSMANN", "grossmann"),
        ("Straße", "strasse"),
    ],
)
def test_folded_drops_accents_and_case(name, key):
    assert folded(name) == key


def _open(world, **names):
    client = new_client(world, **names)
    return services.case_open(
        user=world.worker, client_id=client.pk, programme_id=world.programme.pk
    )


def _found(user, query) -> set[str]:
    return {case.client.full_name for case in selectors.case_list(user=user, search=query)}


@pytest.fixture
def people(world):
    return {
        "kovacs": _open(world, family_name="Kovács", given_name="Anna"),
        "szaboova": _open(world, family_name="Szabóová", given_name="Mária"),
        "nemeth_e": _open(world, family_name="Németh", given_name="Erzsébet"),
        "nemeth_a": _open(world, family_name="Németh", given_name="Ádám"),
    }


def test_a_name_typed_without_accents_finds_the_accented_name(world, people):
    assert _found(world.worker, "kovacs") == {"Kovács Anna"}
    assert _found(world.worker, "szabo") == {"Szabóová Mária"}


def test_capitals_and_accents_in_the_query_do_not_matter(world, people):
    assert _found(world.worker, "KOVÁCS") == {"Kovács Anna"}
    assert _found(world.worker, "  nÉmEtH ") == {"Németh Erzsébet", "Németh Ádám"}


def test_every_word_must_begin_a_family_or_given_name_in_either_order(world, people):
    assert _found(world.worker, "nemeth e") == {"Németh Erzsébet"}
    assert _found(world.worker, "erzsebet nemeth") == {"Németh Erzsébet"}
    assert _found(world.worker, "adam") == {"Németh Ádám"}


def test_the_middle_of_a_name_is_not_a_match(world, people):
    assert _found(world.worker, "ovacs") == set()
    assert _found(world.worker, "zsebet") == set()


def test_a_case_number_is_found_by_any_part_of_it(world, people):
    number = people["szaboova"].number
    assert _found(world.worker, number) == {"Szabóová Mária"}
    sequence = number.rsplit("/", 1)[1]
    assert "Szabóová Mária" in _found(world.worker, sequence)


def test_search_stays_inside_the_users_scope(world, people):
    assert _found(world.other_worker, "kovacs") == set()


def test_a_renamed_client_is_found_by_the_new_name_only(world, people):
    client = people["kovacs"].client
    services.client_update(user=world.worker, client_id=client.pk, data={"family_name": "Gáspár"})
    assert _found(world.worker, "gaspar") == {"Gáspár Anna"}
    assert _found(world.worker, "kovacs") == set()


def test_an_empty_or_blank_query_lists_every_case_in_scope(world, people):
    assert len(_found(world.worker, "   ")) == 4


def test_the_folded_names_are_not_in_the_history(world, people):
    client = people["kovacs"].client
    historical = client.history.model
    assert not {"family_key", "given_key"} & {f.name for f in historical._meta.fields}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prefix indexes")
def test_postgresql_answers_a_name_prefix_from_its_index(world, people):
    from casework.models import Client
    from casework.search import client_name_matches

    query = Client.objects.filter(client_name_matches(["kov"])).values("pk").query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of rows makes a sequential scan cheaper; the question is whether the
        # index can answer the LIKE at all (it cannot without the pattern operator class).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "casework_client_family_key_prefix" in plan
    assert "casework_client_given_key_prefix" in plan
