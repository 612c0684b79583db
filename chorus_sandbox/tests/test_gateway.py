"""PISTE OAuth2 and the gateway checks, against the sandbox running as a real process."""

import json
import socket

import httpx
import pytest

from .helpers import ApiClient, account_header

DEMO_CLIENT = "3f0c1a52-6b8e-4d1c-9a57-2e4f8b7c6d10"
STRUCTURES_ONLY_CLIENT = ("9a7d3e21-04c5-4b8f-b1e6-5c2d7f0a3b94", "sandbox-secret-structures-only-0002")


def test_token_is_issued_for_seed_credentials(sandbox):
    creds = sandbox.credentials["piste"]
    response = httpx.post(sandbox.token_url, data={"grant_type": "client_credentials", "scope": "openid", **creds})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["scope"] == "openid"
    assert body["access_token"]


def test_token_refused_for_bad_secret_without_echoing_it(sandbox):
    response = httpx.post(sandbox.token_url, data={"grant_type": "client_credentials", "client_id": DEMO_CLIENT,
                                                   "client_secret": "wrong-secret-value"})
    assert response.status_code in (400, 401)
    assert response.json()["error"] == "invalid_client"
    assert "wrong-secret-value" not in response.text


@pytest.mark.parametrize("data, error", [({"grant_type": "password"}, "unsupported_grant_type")])
def test_token_refuses_other_grants(sandbox, data, error):
    response = httpx.post(sandbox.token_url, data=data)
    assert response.status_code == 400 and response.json()["error"] == error


def test_token_needs_a_form_body(sandbox):
    response = httpx.post(sandbox.token_url, json={"grant_type": "client_credentials"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_health_check_needs_only_the_token(sandbox, api):
    response = api.http.get(f"{sandbox.base_url}/cpro/transverses/v1/health-check",
                            headers={"Authorization": f"Bearer {api.token()}"})
    assert response.status_code == 200 and response.json()["statusCode"] == "200"


def test_missing_and_expired_bearer_give_401(sandbox, api):
    assert httpx.post(f"{sandbox.base_url}/cpro/structures/v1/rechercher", json={}).status_code == 401
    api.ok("structures/v1/rechercher", {})
    sandbox.expire_tokens()
    assert api.post("structures/v1/rechercher", {}).status_code == 401


def test_short_token_lifetime_is_reported(sandbox):
    sandbox.configure(token_lifetime=5)
    creds = sandbox.credentials["piste"]
    response = httpx.post(sandbox.token_url, data={"grant_type": "client_credentials", **creds})
    assert response.json()["expires_in"] == 5


def test_family_not_subscribed_gives_403_empty(sandbox):
    client = ApiClient(sandbox, client_id=STRUCTURES_ONLY_CLIENT[0], client_secret=STRUCTURES_ONLY_CLIENT[1])
    assert client.post("structures/v1/rechercher", {}).status_code == 200
    response = client.post("factures/v1/rechercher/fournisseur", {})
    assert response.status_code == 403 and response.content == b""


def test_unknown_route_gives_404(api):
    assert api.post("factures/v1/nexistepas", {}).status_code == 404


def test_control_routes_are_not_reachable_under_cpro(api):
    assert api.post("_sim/v1/reset", {}).status_code == 404


def test_wrong_content_type_gives_415(sandbox, api):
    headers = {**api.headers(), "Content-Type": "text/plain"}
    response = api.http.post(f"{sandbox.base_url}/cpro/structures/v1/rechercher", content=b"{}", headers=headers)
    assert response.status_code == 415


def test_json_without_charset_is_accepted(sandbox, api):
    headers = {**api.headers(), "Content-Type": "application/json"}
    response = api.http.post(f"{sandbox.base_url}/cpro/structures/v1/rechercher", content=b"{}", headers=headers)
    assert response.status_code == 200


@pytest.mark.parametrize("header", [None, "%%%not-base64%%%", account_header("nobody@cpro.fr", "x")[:-2] + "==",
                                    account_header("TECH_1_73282932000074@cpro.fr", "wrong"),
                                    "bm9jb2xvbg=="])
def test_bad_technical_account_gives_401(sandbox, api, header):
    headers = {k: v for k, v in api.headers().items() if k != "cpro-account"}
    if header:
        headers["cpro-account"] = header
    response = api.http.post(f"{sandbox.base_url}/cpro/structures/v1/rechercher", json={}, headers=headers)
    assert response.status_code == 401
    assert "expiré" not in response.text


def test_expired_password_is_distinguishable(sandbox):
    expired = ApiClient(sandbox, account=1)
    response = expired.post("structures/v1/rechercher", {})
    assert response.status_code == 401 and "expiré" in response.json()["libelle"]
    assert expired.password not in response.text


def test_expire_password_through_control_route(sandbox, api):
    api.ok("structures/v1/rechercher", {})
    sandbox.expire_password(api.login)
    response = api.post("structures/v1/rechercher", {})
    assert response.status_code == 401 and "expiré" in response.json()["libelle"]


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_malformed_json_gives_chorus_style_400(sandbox, api, content):
    response = api.http.post(f"{sandbox.base_url}/cpro/structures/v1/rechercher", content=content,
                             headers=api.headers())
    assert response.status_code == 400
    assert response.json()["codeRetour"] != 0 and response.json()["libelle"]


def test_wrong_enum_value_is_refused_and_unknown_fields_ignored(api):
    api.validate = False
    response = api.post("structures/v1/rechercher", {"structure": {"typeIdentifiantStructure": "NUMERO"}})
    assert response.status_code == 400 and "typeIdentifiantStructure" in response.json()["libelle"]
    assert api.post("structures/v1/rechercher", {"champInconnu": 1, "triSense": "x"}).status_code == 200


def test_wrong_type_is_refused(api):
    api.validate = False
    response = api.post("factures/v1/consulter/fournisseur", {"identifiantFactureCPP": "douze"})
    assert response.status_code == 400 and response.json()["codeRetour"] != 0


# --- the input guard and the HTTP layer: bad input is a 4xx with a JSON body, never a 5xx or an HTML page ---------

@pytest.mark.parametrize("path, content, field", [
    ("structures/v1/consulter", b'{"idStructureCPP": 9223372036854775808}', "idStructureCPP"),
    ("factures/v1/traiterRejet", b'{"listeDemandePaiement": [{"idDemandePaiement": -9223372036854775809}]}',
     "listeDemandePaiement.0.idDemandePaiement"),
    ("transverses/v1/recuperer/coordbanc/valides", b'{"idStructure": 99999999999999999999999}', "idStructure"),
    ("factures/v1/consulter/historique", b'{"idFacture": 1, "nbResultatsMaximum": 2147483648}', "nbResultatsMaximum"),
    ("factures/v1/rechercher/fournisseur", b'{"montantTtcMin": 1e400}', "montantTtcMin"),
    ("structures/v1/rechercher", b'{"structure": {"raisonSocialeStructure": "\\ud800"}}',
     "structure.raisonSocialeStructure"),
])
def test_values_the_java_platform_cannot_hold_are_a_400_naming_the_field(sandbox, api, path, content, field):
    response = api.http.post(f"{sandbox.base_url}/cpro/{path}", content=content, headers=api.headers())
    assert response.status_code == 400, response.text
    assert response.json()["codeRetour"] != 0 and field in response.json()["libelle"]


@pytest.mark.parametrize("content", [b'{"idStructureCPP": NaN}', b'{"a": Infinity}', b"[" * 5000 + b"]" * 5000,
                                     b'{"a": ' * 100 + b"1" + b"}" * 100])
def test_non_standard_or_runaway_json_is_malformed(sandbox, api, content):
    response = api.http.post(f"{sandbox.base_url}/cpro/structures/v1/consulter", content=content,
                             headers=api.headers())
    assert response.status_code == 400 and response.json()["codeRetour"] != 0


def test_largest_64_bit_integer_is_accepted_as_an_unknown_id(api):
    api.validate = False
    response = api.post("structures/v1/consulter", {"idStructureCPP": 9223372036854775807})
    assert response.status_code == 400 and response.json()["libelle"] == "Structure inconnue"


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH", "OPTIONS", "FOO"])
def test_other_methods_on_a_route_are_a_json_405(sandbox, api, method):
    response = api.http.request(method, f"{sandbox.base_url}/cpro/factures/v1/recycler", headers=api.headers())
    assert response.status_code == 405 and response.headers["Allow"] == "POST"
    assert response.headers["Content-Type"] == "application/json;charset=utf-8"
    assert response.json()["codeRetour"] == 405 and method in response.json()["libelle"]
    head = api.http.head(f"{sandbox.base_url}/cpro/structures/v1/rechercher", headers=api.headers())
    assert head.status_code == 405 and not head.content
    health = api.http.post(f"{sandbox.base_url}/cpro/transverses/v1/health-check", headers=api.headers())
    assert health.status_code == 405 and health.headers["Allow"] == "GET"
    token = api.http.get(sandbox.token_url)
    assert token.status_code == 405 and token.headers["Allow"] == "POST"


def test_unknown_route_stays_a_404_whatever_the_method(sandbox, api):
    response = api.http.request("TRACE", f"{sandbox.base_url}/cpro/factures/v1/inconnue", headers=api.headers())
    assert response.status_code == 404 and response.headers["Content-Type"].startswith("application/json")


def test_errors_of_the_http_layer_have_a_json_body(sandbox):
    host, port = sandbox.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b"POST /cpro/structures/v1/rechercher HTTP/1.1\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n")
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.decode("utf-8", "replace").partition("\r\n\r\n")
    assert head.startswith("HTTP/1.") and " 431 " in head.splitlines()[0]  # header line too long
    assert "application/json" in head and json.loads(body)["codeRetour"] == 431
