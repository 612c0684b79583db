"""The projet de décompte final through the API (situation-rules.md §6): ``"final": true`` on creation, the same
rules as the screens, and ``final`` in the situation's JSON."""

from decimal import Decimal

import pytest

from chorusbat.api.tests.conftest import SITUATION_1, SITUATION_2

pytestmark = pytest.mark.django_db

FINAL = {"number": "F2026-0094", "period": "2026-10", "date": "2026-10-31", "index": "119.7",
         "progress": {"7.1": "100", "7.2": "150", "7.3": "0"}, "final": True}


def test_a_final_statement_through_the_api(api, market_body):
    market = api.post("/markets", market_body).json()
    first = api.post(f"/markets/{market['id']}/situations", SITUATION_1).json()
    assert first["final"] is False
    # not while a draft is pending
    response = api.post(f"/markets/{market['id']}/situations", FINAL)
    assert response.status_code == 422 and "brouillon" in response.json()["errors"][0]["detail"]
    api.post(f"/situations/{first['id']}/validate")

    for wrong in ("true", 1, None):  # a JSON boolean only
        response = api.post(f"/markets/{market['id']}/situations", {**FINAL, "final": wrong})
        assert response.status_code == 422, (wrong, response.content)
        assert response.json()["errors"][0]["pointer"] == "/final"

    created = api.post(f"/markets/{market['id']}/situations", FINAL)
    assert created.status_code == 201, created.content
    final = created.json()
    assert final["final"] is True and final["status"] == "draft"
    assert api.get(f"/situations/{final['id']}").json()["final"] is True
    validated = api.post(f"/situations/{final['id']}/validate").json()
    first = api.get(f"/situations/{first['id']}").json()
    # the advance (10 % of T = 33 737,00 TTC) is recovered in full over the chain
    assert Decimal(first["amounts"]["f"]) + Decimal(validated["amounts"]["f"]) == Decimal("3373.70")

    # nothing after it, and no second final statement
    for body in ({**SITUATION_2, "number": "F2026-0095", "period": "2026-11", "date": "2026-11-30"},
                 {**FINAL, "number": "F2026-0095", "period": "2026-11", "date": "2026-11-30"}):
        response = api.post(f"/markets/{market['id']}/situations", body)
        assert response.status_code == 422
        assert "déjà son projet de décompte final (F2026-0094)" in response.json()["errors"][0]["detail"]


def test_the_openapi_document_describes_final(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schema["SituationIn"]["properties"]["final"]["type"] == "boolean"
    assert "final" in schema["SituationOut"]["required"]
