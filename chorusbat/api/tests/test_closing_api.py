"""The end of a market over the API: GET with the timeline, PUT of each step through the same forms and service as
the screen; French field errors (422), refusals once the DGD is recorded (409), another company's market (404)."""

from __future__ import annotations

import json

import pytest

from chorusbat.contracts.demo import create_demo_late_payment
from chorusbat.contracts.models import MarketClosing

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(company, admin_user):
    return create_demo_late_payment(company, admin_user)


def put(api, path, body):
    return api.client.put(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                          **api.headers())


def test_get_then_record_every_step_to_settled(api, market):
    base = f"/markets/{market.pk}/closing"
    body = api.get(base).json()
    assert body["retention"]["held"] == "610.20" and body["reception_date"] is None
    assert [d["state"] for d in body["timeline"]] == ["waiting"] * 4
    r = put(api, f"{base}/reception", {"date": "2026-07-03"})
    assert r.status_code == 200, r.content
    assert r.json()["guarantee_months"] == 12 and r.json()["timeline"][3]["due"] == "2027-08-02"
    r = put(api, f"{base}/general-statement", {"notified_on": "2026-08-10", "amount_ttc": "12559.20",
                                                "amount_ht": "10466.00", "reserves": "Pénalités : 200 €"})
    assert r.status_code == 200 and r.json()["general_statement"]["amount_ttc"] == "12559.20"
    r = put(api, f"{base}/answer", {"answer": "reserves", "date": "2026-09-01", "grounds": "Métré contesté.",
                                     "claims": [{"label": "Surface supplémentaire", "amount": "355.20",
                                                 "justification": "Métré du 2 juillet."}]})
    assert r.status_code == 200, r.content
    assert r.json()["answer"]["claims"] == [{"label": "Surface supplémentaire", "amount": "355.20",
                                             "justification": "Métré du 2 juillet."}]
    assert put(api, f"{base}/dgd", {"date": "2026-10-15"}).json()["dgd_on"] == "2026-10-15"
    r = put(api, f"{base}/release", {"date": "2027-08-05"})
    assert r.status_code == 200 and r.json()["settled"] is True
    # Recorded DGD: nothing else changes.
    r = put(api, f"{base}/reception", {"date": "2026-07-01"})
    assert r.status_code == 409 and "DGD" in r.json()["detail"]
    assert MarketClosing.objects.get(market=market).reception_date.isoformat() == "2026-07-03"


def test_bad_input_gives_french_errors_with_pointers_and_writes_nothing(api, market):
    base = f"/markets/{market.pk}/closing"
    r = put(api, f"{base}/general-statement", {"notified_on": "2026-08-10", "amount_ttc": "1"})
    assert r.status_code == 409  # no réception yet
    r = put(api, f"{base}/reception", {"date": "2026-13-45", "guarantee_months": 99})
    assert r.status_code == 422
    pointers = {e["pointer"] for e in r.json()["errors"]}
    assert pointers == {"/date", "/guarantee_months"}
    put(api, f"{base}/reception", {"date": "2026-07-03"})
    r = put(api, f"{base}/general-statement", {"notified_on": "2026-08-10", "amount_ttc": "1000000000000"})
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/amount_ttc"
    put(api, f"{base}/general-statement", {"notified_on": "2026-08-10", "amount_ttc": "100"})
    r = put(api, f"{base}/answer", {"answer": "reserves", "date": "2026-09-01", "grounds": "x",
                                     "claims": [{"label": "A", "amount": "-3", "justification": "j"}]})
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/claims/0/amount"
    r = put(api, f"{base}/answer", {"answer": "maybe", "date": "2026-09-01"})
    assert r.status_code == 422
    r = put(api, f"{base}/answer", {"answer": "accepted", "date": "2026-09-01", "extra": 1})
    assert r.status_code == 422
    assert MarketClosing.objects.get(market=market).answer == ""


def test_another_company_market_is_not_found(other_api, market):
    assert other_api.get(f"/markets/{market.pk}/closing").status_code == 404
    assert put(other_api, f"/markets/{market.pk}/closing/reception", {"date": "2026-07-03"}).status_code == 404
    assert not MarketClosing.objects.exists()
