"""Faults on demand: each mode, determinism with a seed, and a sandbox down for a while."""

import httpx
import pytest

from .helpers import ApiClient, b64, facturx_pdf

ROUTE = "/cpro/structures/v1/rechercher"


@pytest.mark.parametrize("rule, status", [({"p500": 1}, 500), ({"p503": 1}, 503)])
def test_server_errors(sandbox, api, rule, status):
    sandbox.set_faults({"route": ROUTE, **rule})
    assert api.post("structures/v1/rechercher", {}).status_code == status
    assert api.post("structures/v1/consulter", {"idStructureCPP": 1001}).status_code == 200


def test_429_carries_retry_after(sandbox, api):
    sandbox.set_faults({"route": "/cpro/*", "p429": 1, "retry_after": 7})
    response = api.post("structures/v1/rechercher", {})
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"


def test_latency_still_answers(sandbox, api):
    sandbox.set_faults({"route": ROUTE, "latency_ms": 50})
    assert api.post("structures/v1/rechercher", {}).status_code == 200


def test_timeout_holds_the_connection_without_answer(sandbox, api):
    sandbox.set_faults({"route": ROUTE, "p_timeout": 1, "timeout_s": 2})
    with pytest.raises(httpx.ReadTimeout):
        api.post("structures/v1/rechercher", {}, timeout=0.3)


def test_connection_reset(sandbox, api):
    sandbox.set_faults({"route": ROUTE, "p_reset": 1})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError, httpx.ConnectError)):
        api.post("structures/v1/rechercher", {})


def test_accept_then_500_records_the_deposit(sandbox, api):
    sandbox.set_faults({"route": "/cpro/factures/v1/deposer/flux", "p_accept_then_500": 1})
    response = api.post("factures/v1/deposer/flux", {"fichierFlux": b64(facturx_pdf(numero="X-1")),
                                                     "nomFichier": "f.pdf", "syntaxeFlux": "IN_DP_E2_CII_FACTURX"})
    assert response.status_code == 500
    assert len(sandbox.fluxes()) == 1


def test_invalid_client_fault_on_token_endpoint(sandbox):
    sandbox.set_faults({"route": "/api/oauth/token", "p_invalid_client": 1})
    creds = sandbox.credentials["piste"]
    response = httpx.post(sandbox.token_url, data={"grant_type": "client_credentials", **creds})
    assert response.status_code == 400 and response.json()["error"] == "invalid_client"


def outcomes(api, n=20):
    return [api.post("structures/v1/rechercher", {}).status_code for _ in range(n)]


def test_faults_are_deterministic_with_a_seed(sandbox, api):
    sandbox.set_faults({"route": ROUTE, "p500": 0.3, "p503": 0.2}, seed=42)
    first = outcomes(api)
    sandbox.set_faults({"route": ROUTE, "p500": 0.3, "p503": 0.2}, seed=42)
    assert outcomes(api) == first
    assert {200, 500} <= set(first)
    sandbox.clear_faults()
    assert set(outcomes(api, 5)) == {200}


def test_invalid_fault_settings_are_refused(sandbox):
    with pytest.raises(AssertionError):
        sandbox.set_faults({"route": ROUTE, "p500": 2})
    with pytest.raises(AssertionError):
        sandbox.set_faults({"route": ROUTE, "p_unknown": 1})


def test_sandbox_down_for_a_while(sandbox):
    client = ApiClient(sandbox)
    client.ok("structures/v1/rechercher", {})
    sandbox.stop()
    with pytest.raises(httpx.TransportError):
        client.post("structures/v1/rechercher", {})
    sandbox.start()
    client.http = httpx.Client(timeout=30.0, verify=False)
    client.ok("structures/v1/rechercher", {})


def test_requests_are_counted_per_path_and_reset(sandbox):
    import httpx

    creds = sandbox.credentials["piste"]
    for _ in range(3):
        httpx.post(sandbox.token_url, data={"grant_type": "client_credentials", "client_id": creds["client_id"],
                                            "client_secret": creds["client_secret"], "scope": "openid"})
    assert sandbox.requests()["/api/oauth/token"] == 3
    sandbox.reset()
    assert sandbox.requests() == {}
