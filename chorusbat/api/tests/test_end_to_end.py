"""End to end through the API: a market and 20 situations created, validated and sent against the sandbox (a real
process) with faults, the webhooks received on a local receiver with their signatures checked, and every situation
in the sandbox exactly once."""

import time
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command

from chorusbat.api.models import WebhookDelivery
from chorusbat.api.tests.conftest import Receiver, run_worker
from chorusbat.gateway.models import Transmission
from chorusbat.gateway.tests.conftest import all_integrated, connected, drain  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

EVENTS = ["situation.validated", "transmission.deposited", "invoice.integrated", "invoice.status_changed",
          "transmission.held", "subscription.password_expiring"]


def market_body():
    return {
        "buyer": {"name": "Ville de Nantes", "siret": "21440109300015", "service_code": "DIR_BATIMENTS"},
        "market": {
            "number": "API-E2E-1", "title": "Peinture des écoles", "framework": "A1", "start_date": "2021-01-01",
            "duration_months": 36, "retention_rate": "0.05",
            "lines": [
                {"ref": "1", "label": "Peinture", "kind": "forfait", "unit": "ens", "unit_price": "10000.00",
                 "quantity": "1", "vat_rate": "20"},
                {"ref": "2", "label": "Sol", "kind": "unitaire", "unit": "m2", "unit_price": "40.00",
                 "quantity": "500", "vat_rate": "10"},
            ],
        },
    }


def wait_for_deliveries(timeout=60):
    deadline = time.monotonic() + timeout
    while WebhookDelivery.objects.filter(state="pending").exists():
        assert time.monotonic() < deadline, list(WebhookDelivery.objects.filter(state="pending").values(
            "msg_id", "attempts", "last_error"))
        run_worker()
        time.sleep(0.2)


def test_twenty_situations_through_the_api(api, chorus, connected, settings):  # noqa: F811
    settings.CHORUSBAT_WEBHOOK_RETRY_BASE_SECONDS = 0.2
    settings.CHORUSBAT_API_EVENTS_SETTLE_SECONDS = 0
    receiver = Receiver(fail_first=1)  # every event is refused once: delivered by a retry, same webhook-id
    try:
        hook = api.post("/webhooks", {"url": receiver.url, "events": EVENTS}).json()
        response = api.post("/markets", market_body(), idem="market-1")
        assert response.status_code == 201, response.content
        market = response.json()
        assert market["buyer_checked"] is True  # checked against Chorus Pro (the sandbox)
        wrong = market_body()
        wrong["market"]["number"], wrong["buyer"]["service_code"] = "API-E2E-2", "NO_SUCH_SERVICE"
        response = api.post("/markets", wrong)  # the buyer's services, as Chorus Pro lists them
        assert response.status_code == 422
        assert [e["pointer"] for e in response.json()["errors"]] == ["/buyer/service_code"]

        ids = []
        for k in range(20):
            period = f"{2021 + k // 12}-{k % 12 + 1:02d}"
            body = {"period": period, "date": f"{period}-28",
                    "progress": {"1": str(min(100, 5 * (k + 1))), "2": str(10 * (k + 1))}}
            response = api.post(f"/markets/{market['id']}/situations", body, idem=f"situation-{k}")
            assert response.status_code == 201, response.content
            situation = response.json()
            assert api.post(f"/situations/{situation['id']}/validate").status_code == 200
            ids.append(situation["id"])
        numbers = {api.get(f"/situations/{i}").json()["number"] for i in ids}
        assert len(numbers) == 20

        chorus.set_faults([
            {"route": "/cpro/factures/v1/deposer/flux", "p500": 0.15, "p_accept_then_500": 0.15, "p_reset": 0.05},
            {"route": "/cpro/factures/v1/rechercher/fournisseur", "p500": 0.10},
        ], seed=11)
        for i in ids:
            assert api.post(f"/situations/{i}/send", idem=f"send-{i}").status_code == 202
        for i in ids[:5]:  # sent again, with and without the same key: never twice
            assert api.post(f"/situations/{i}/send", idem=f"send-{i}").status_code == 202
            assert api.post(f"/situations/{i}/send").status_code == 202
        drain(chorus, until=all_integrated, timeout=300)
        chorus.clear_faults()
        for _ in range(3):  # the sandbox moves the invoices on; the status sync picks the changes up
            chorus.advance(2)
            call_command("sync-statuses", verbosity=0)
        wait_for_deliveries()

        # In Chorus Pro exactly once each.
        counts = Counter(i.get("numeroFacture") for i in chorus.invoices())
        assert {n: counts[n] for n in numbers} == {n: 1 for n in numbers}
        assert Transmission.objects.count() == 20

        # The API tells the same story.
        situation = api.get(f"/situations/{ids[0]}").json()
        assert situation["transmission"]["state"] == "integrated"
        assert situation["transmission"]["chorus_invoice_id"]
        events = api.get("/events?limit=500").json()
        assert {e["kind"] for e in events["events"]} >= {"queued", "deposit_attempt", "integrated"}
        assert api.get(f"/events?after={events['next_cursor']}").json()["events"] == []

        # Webhooks: every request signed; each event at least once, retried with its own stable id.
        received = receiver.verified(hook["secret"])
        by_id = defaultdict(list)
        for msg_id, payload in received:
            by_id[msg_id].append(payload)
        assert all(len(p) >= 2 and all(x == p[0] for x in p) for p in by_id.values())  # refused once, same body
        firsts = [p[0] for p in by_id.values()]
        by_type = defaultdict(set)
        for payload in firsts:
            by_type[payload["type"]].add(payload["data"].get("situation_id") or payload["data"].get("id"))
        assert by_type["situation.validated"] == set(ids)
        assert by_type["invoice.integrated"] == set(ids)
        assert by_type["invoice.status_changed"], "no status change was sent"
        assert WebhookDelivery.objects.exclude(state="delivered").count() == 0
    finally:
        receiver.close()
