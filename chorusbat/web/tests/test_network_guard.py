import httpx
import pytest


def test_tests_cannot_reach_the_internet():
    with pytest.raises(httpx.ConnectError, match="only loopback"):
        httpx.get("https://sandbox-api.piste.gouv.fr/cpro/transverses/v1/health-check", timeout=2)
