"""Who may not open a notification socket: no session, a forged session, or a page from another
origin (checked before the session is even looked at)."""

import pytest

from .conftest import open_communicator, session_key_for

# No transaction=True: the refusal happens before the consumer reads anything another thread
# would have to see committed.
pytestmark = [pytest.mark.django_db, pytest.mark.asyncio]


@pytest.fixture
def mentor_key(world):
    return session_key_for(world.mentor)


async def test_an_anonymous_connection_is_refused():
    communicator = open_communicator(None)
    connected, _code = await communicator.connect(timeout=5)
    assert not connected
    await communicator.disconnect()


async def test_a_forged_session_cookie_is_refused():
    communicator = open_communicator("not-a-session-key-0123456789abcdef")
    connected, _code = await communicator.connect(timeout=5)
    assert not connected
    await communicator.disconnect()


@pytest.mark.parametrize("origin", [b"http://evil.example", b"null", None])
async def test_a_foreign_or_missing_origin_is_refused_even_with_a_valid_session(mentor_key, origin):
    communicator = open_communicator(mentor_key, origin=origin)
    connected, _code = await communicator.connect(timeout=5)
    assert not connected
    await communicator.disconnect()
