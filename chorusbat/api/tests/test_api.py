"""The API's resources through HTTP (Django's test client): markets, situations, validation, problems."""

import pytest

from chorusbat.api.tests.conftest import SITUATION_1, SITUATION_2

pytestmark = pytest.mark.django_db


def test_openapi_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/markets/{market_id}/situations" in schema["paths"]
    post = schema["paths"]["/api/v1/markets"]["post"]
    assert "application/problem+json" in post["responses"]["422"]["content"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "ninja/swagger-ui-bundle.js" in html and "https://" not in html  # served locally, never from a CDN


def test_without_a_key_401_problem(client, api_key):
    response = client.get("/api/v1/markets")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert "Authorization" in response.json()["detail"]
    response = client.get("/api/v1/markets", HTTP_AUTHORIZATION="Bearer cbk_nope")
    assert response.status_code == 401


def test_create_market_then_situations_with_the_file_json(api, market_body):
    response = api.post("/markets", market_body)
    assert response.status_code == 201, response.content
    market = response.json()
    assert market["market"]["number"] == "2026-TX-004"
    assert market["market"]["advance"] == {"rate": "0.1", "start": "0.65", "end": "0.8"}
    assert [line["ref"] for line in market["market"]["lines"]] == ["7.1", "7.2", "7.3"]
    assert api.get("/markets").json()["count"] == 1
    assert api.get(f"/markets/{market['id']}").json()["id"] == market["id"]

    first = api.post(f"/markets/{market['id']}/situations", SITUATION_1)
    assert first.status_code == 201, first.content
    situation = first.json()
    assert situation["status"] == "draft" and situation["number"] == "F2026-0093"
    validated = api.post(f"/situations/{situation['id']}/validate")
    assert validated.status_code == 200, validated.content
    assert validated.json()["status"] == "validated"
    # the example's expected output (situation-rules.md §4)
    assert validated.json()["amounts"]["net"] == "12786.01"
    again = api.post(f"/situations/{situation['id']}/validate")
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"

    second = dict(SITUATION_2)
    del second["number"]  # chorusbat numbers it: the next of the company's series
    response = api.post(f"/markets/{market['id']}/situations", second)
    assert response.status_code == 201, response.content
    assert response.json()["number"] == "F2026-0094"


def test_field_errors_are_french_problems(api, market_body):
    market_body["market"]["lines"][1]["unit_price"] = "douze"
    market_body["market"]["duration_months"] = "trois"
    market_body["market"]["retention_rate"] = 0.05
    market_body["market"]["colour"] = "bleu"
    response = api.post("/markets", market_body)
    assert response.status_code == 422
    problem = response.json()
    assert response["Content-Type"] == "application/problem+json"
    pointers = {e["pointer"]: e["detail"] for e in problem["errors"]}
    assert "/market/duration_months" in pointers and "/market/retention_rate" in pointers
    assert "inconnu" in pointers["/market/colour"]
    assert "guillemets" in pointers["/market/retention_rate"]

    market_body = {**market_body, "market": {**market_body["market"], "duration_months": 3, "retention_rate": "0.05"}}
    del market_body["market"]["colour"]
    response = api.post("/markets", market_body)
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["/market/lines/1/unit_price"]

    response = api.post("/markets", "{not json")
    assert response.status_code == 400 and "JSON" in response.json()["detail"]


def test_situation_errors_point_at_the_line(api, market_body):
    market = api.post("/markets", market_body).json()
    body = {**SITUATION_1, "progress": {"7.1": "145", "9.9": "1"}}
    response = api.post(f"/markets/{market['id']}/situations", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/progress/9.9"
    body = {**SITUATION_1, "progress": {"7.1": "145"}}
    response = api.post(f"/markets/{market['id']}/situations", body)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["pointer"] == "/progress/7.1"
    assert "100" in response.json()["errors"][0]["detail"]


def test_another_company_sees_nothing(api, other_api, market_body, company):
    from chorusbat.api.tests.test_invoices import foreign_invoice, upload

    market = api.post("/markets", market_body).json()
    situation = api.post(f"/markets/{market['id']}/situations", SITUATION_1).json()
    invoice = upload(api, foreign_invoice(company, number="ERP-X1").pdf).json()
    hook = api.post("/webhooks", {"url": "https://erp.example.fr/h", "events": ["invoice.integrated"]}).json()
    assert other_api.get("/markets").json()["count"] == 0
    assert other_api.get("/webhooks").json()["items"] == []
    assert other_api.delete(f"/webhooks/{hook['id']}").status_code == 404
    assert other_api.get(f"/invoices/{invoice['id']}").status_code == 404
    for method, path in [
        ("get", f"/markets/{market['id']}"),
        ("post", f"/markets/{market['id']}/situations"),
        ("get", f"/situations/{situation['id']}"),
        ("post", f"/situations/{situation['id']}/validate"),
        ("post", f"/situations/{situation['id']}/send"),
        ("get", f"/situations/{situation['id']}/facturx"),
    ]:
        body = SITUATION_2 if path.endswith("/situations") else None
        response = getattr(other_api, method)(path, body) if method == "post" else other_api.get(path)
        assert response.status_code == 404, (path, response.content)
        assert response["Content-Type"] == "application/problem+json"
    assert other_api.get("/events").json()["events"] == []


def test_idempotency_key(api, market_body):
    first = api.post("/markets", market_body, idem="abc-1")
    assert first.status_code == 201
    again = api.post("/markets", market_body, idem="abc-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    other = dict(market_body, market={**market_body["market"], "number": "AUTRE"})
    response = api.post("/markets", other, idem="abc-1")
    assert response.status_code == 422 and response.json()["type"].endswith("idempotency-key-reused")
    assert api.get("/markets").json()["count"] == 1


def test_rate_limit(api, settings):
    settings.CHORUSBAT_API_RATE_LIMIT = 3
    for _ in range(3):
        assert api.get("/markets").status_code == 200
    response = api.get("/markets")
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1


def test_every_call_is_audited(api, company):
    from chorusbat.api.models import ApiCall

    api.get("/markets")
    api.get("/markets/999999")
    calls = list(ApiCall.objects.order_by("id").values_list("method", "route", "status"))
    assert calls == [("GET", "/api/v1/markets", 200), ("GET", "/api/v1/markets/<market_id>", 404)]


def test_revoked_key_is_refused(api, company):
    from chorusbat.api.keys import revoke
    from chorusbat.api.models import ApiKey

    assert api.get("/markets").status_code == 200
    revoke(ApiKey.objects.get(company=company))
    assert api.get("/markets").status_code == 401


def test_api_key_command_prints_the_key_last(company, client, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("api-key", "create", "--company", company.siret, "--name", "ERP Sage")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert key.startswith("cbk_")
    assert client.get("/api/v1/markets", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    call_command("api-key", "list", "--company", company.siret)
    listing = capsys.readouterr().out
    assert "ERP Sage" in listing and key not in listing
    call_command("api-key", "revoke", "--company", company.siret, "--prefix", key[:12])
    assert client.get("/api/v1/markets", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    with pytest.raises(CommandError, match="not found"):
        call_command("api-key", "create", "--company", "00000000000000", "--name", "x")


def test_make_run_says_how_to_create_a_key(company):
    from chorusbat.api.runhelp import text

    assert f"chorusbat api-key create --company {company.siret} --name ERP" in text(8000)
    assert "http://127.0.0.1:8000/api/v1/docs" in text(8000)


def test_the_readme_session_works_on_the_demo_data(client):
    """The bodies of the README's curl session, on `make run`'s demo company."""
    from chorusbat.accounts.demo import create_demo_data
    from chorusbat.accounts.models import Company
    from chorusbat.api.keys import create_key
    from chorusbat.api.tests.conftest import Api
    from chorusbat.situations.demo import create_demo_markets

    create_demo_data()
    company = Company.objects.get(siret="73282932000074")
    create_demo_markets(company, company.memberships.filter(role="admin").first().user)  # as `chorusbat demo`
    api = Api(client, create_key(company, "Mon ERP")[1])
    market = api.post("/markets", {
        "buyer": {"name": "Ville de Nantes", "siret": "21440109300015", "service_code": "DIR_BATIMENTS"},
        "market": {"number": "2026-TX-101", "title": "Lot 07 Peinture", "framework": "A1",
                   "start_date": "2026-10-01", "duration_months": 3, "retention_rate": "0.05",
                   "lines": [{"ref": "7.1", "label": "Peinture préau", "kind": "forfait", "unit": "ens",
                              "unit_price": "12000.00", "quantity": "1", "vat_rate": "20"}]}},
        idem="market-2026-TX-101")
    assert market.status_code == 201, market.content
    situation = api.post(f"/markets/{market.json()['id']}/situations",
                         {"period": "2026-11", "date": "2026-11-30", "progress": {"7.1": "45"}})
    assert situation.status_code == 201, situation.content
    assert api.post(f"/situations/{situation.json()['id']}/validate").status_code == 200


def test_other_methods_and_unknown_routes_are_problems(api):
    response = api.client.put("/api/v1/markets", **api.headers())
    assert response.status_code == 405 and response["Content-Type"] == "application/problem+json"
    assert "GET" in response["Allow"] and "PUT" in response.json()["detail"]
    response = api.get("/nowhere")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert api.get("/markets/99999999999999999999999").status_code == 404
