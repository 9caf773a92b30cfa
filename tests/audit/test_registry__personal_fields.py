"""The audit chain commits (never hashes in clear) every client field a user can enter: the
services' list of client fields and the audit registry's personal fields of the client must not
drift apart when a field is added to one of them."""

from audit import registry
from casework.services import CLIENT_FIELDS


def test_every_client_field_the_services_accept_is_personal_in_the_audit_chain():
    assert set(CLIENT_FIELDS) <= set(registry.PERSONAL_FIELDS[registry.CLIENT])
