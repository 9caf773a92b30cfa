"""History written in bulk (kernel.services.bulk_history_created) is chained like history
written row by row: new chains start, existing chains continue, and the trail verifies."""

import pytest

from audit import verify
from audit.models import ChainHead, ChainLink
from casework.models import Client
from kernel.services import bulk_create_with_history, bulk_history_created

from ..conftest import COMPLETE_CLIENT, new_client

pytestmark = pytest.mark.django_db


def test_bulk_created_objects_each_start_a_chain_that_verifies(world):
    clients = [
        Client(organisation=world.org, **{**COMPLETE_CLIENT, "given_name": f"Anna {i}"})
        for i in range(5)
    ]
    for client in clients:
        client.fold_names()

    bulk_create_with_history(clients, model=Client, user=world.admin, reason="import: a.csv")

    links = ChainLink.objects.filter(model="casework.client").order_by("object_id")
    assert [(link.object_id, link.seq, link.reason_code) for link in links] == [
        (client.pk, 1, "import") for client in clients
    ]
    assert {link.user_id for link in links} == {world.admin.pk}
    assert {link.organisation_id for link in links} == {world.org.pk}
    report = verify.verify()
    assert report.ok, [problem.describe() for problem in report.problems]


def test_bulk_history_of_objects_with_a_chain_continues_their_chains(world):
    clients = [new_client(world, given_name=f"Béla {i}") for i in range(3)]
    for client in clients:
        client.phone = "+36 1 234 5678"

    rows = Client.history.bulk_history_create(
        clients, update=True, default_user=world.worker, default_change_reason="client.update"
    )
    bulk_history_created.send(sender=type(rows[0]), rows=rows, using="default")

    heads = ChainHead.objects.filter(key__in=[f"client:{client.pk}" for client in clients])
    assert sorted(head.seq for head in heads) == [2, 2, 2]
    report = verify.verify()
    assert report.ok, [problem.describe() for problem in report.problems]


def test_a_tampered_bulk_written_row_is_caught(world):
    clients = [Client(organisation=world.org, **COMPLETE_CLIENT) for _ in range(2)]
    bulk_create_with_history(clients, model=Client, user=world.admin, reason="import: a.csv")

    Client.history.filter(id=clients[1].pk).update(birth_year=1991)

    assert not verify.verify().ok
