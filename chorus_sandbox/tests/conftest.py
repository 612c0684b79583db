"""The sandbox fixtures come from the plugin (also registered for the whole suite by the root conftest)."""

import pytest

from chorus_sandbox.tests.helpers import ApiClient


@pytest.fixture
def api(sandbox):  # noqa: F811
    """Client of the first technical account (the demo supplier)."""
    client = ApiClient(sandbox)
    yield client
    client.close()


@pytest.fixture
def buyer_api(sandbox):  # noqa: F811
    """Client of the buyer-side technical account (public structures), for traiter/recue."""
    client = ApiClient(sandbox, account=3)
    yield client
    client.close()
