import pytest

from .support import api_client


@pytest.fixture
def api():
    """``api(user)``: an APIClient authenticated with a real token of ``user``."""
    return api_client
