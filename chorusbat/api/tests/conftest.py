"""API test helpers: keys for the test companies and a market body taken from the situation file example."""

import copy

import pytest

MARKET_BODY = {
    "buyer": {"name": "Ville de Nantes", "siret": "21440109300015", "service_code": "DIR_BATIMENTS"},
    "market": {
        "number": "2026-TX-004", "engagement": "1300045678",
        "title": "Lot 07 Peinture - sols souples, ecole Jules Verne", "framework": "A1",
        "start_date": "2026-09-01", "duration_months": 3,
        "lines": [
            {"ref": "7.1", "label": "Peinture preau", "kind": "forfait", "unit": "ens", "unit_price": "12000.00",
             "quantity": "1", "vat_rate": "20"},
            {"ref": "7.2", "label": "Sol souple PVC", "kind": "unitaire", "unit": "m2", "unit_price": "48.00",
             "quantity": "300", "vat_rate": "20"},
            {"ref": "7.3", "label": "Plinthes bois logement gardien", "kind": "unitaire", "unit": "ml",
             "unit_price": "9.35", "quantity": "200", "vat_rate": "10"},
        ],
        "revision": {"fixed": "0.125", "variable": "0.875", "base_index": "118.4"},
        "advance": {"rate": "0.10", "start": "0.65", "end": "0.80"},
        "retention_rate": "0.05",
    },
}
SITUATION_1 = {"number": "F2026-0093", "period": "2026-09", "date": "2026-09-30", "index": "119.0",
               "progress": {"7.1": "45", "7.2": "120", "7.3": "0"}}
SITUATION_2 = {"number": "F2026-0094", "period": "2026-10", "date": "2026-10-31", "index": "119.7",
               "progress": {"7.1": "100", "7.2": "310", "7.3": "185.5"}, "beyond_contract": ["7.2"],
               "penalties": [{"label": "Retard remise DOE", "amount": "150.00"}]}


@pytest.fixture
def market_body():
    return copy.deepcopy(MARKET_BODY)


@pytest.fixture
def api_key(company):
    from chorusbat.api.keys import create_key

    return create_key(company, "ERP")[1]


@pytest.fixture
def other_key(other_company):
    from chorusbat.api.keys import create_key

    return create_key(other_company, "Autre ERP")[1]


class Api:
    """A thin JSON client over Django's test client, with a key."""

    def __init__(self, client, key):
        self.client, self.key = client, key

    def headers(self, extra=None):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.key}", **(extra or {})}

    def get(self, path, **extra):
        return self.client.get(f"/api/v1{path}", **self.headers(extra))

    def post(self, path, body=None, idem=None, **extra):
        if idem:
            extra["HTTP_IDEMPOTENCY_KEY"] = idem
        import json

        data = "" if body is None else (body if isinstance(body, (str, bytes)) else json.dumps(body))
        return self.client.post(f"/api/v1{path}", data=data, content_type="application/json", **self.headers(extra))

    def delete(self, path):
        return self.client.delete(f"/api/v1{path}", **self.headers())


@pytest.fixture
def api(client, api_key):
    return Api(client, api_key)


@pytest.fixture
def other_api(client, other_key):
    return Api(client, other_key)


class Receiver:
    """A webhook receiver on 127.0.0.1 (a real HTTP server in a thread) recording what it gets.

    ``fail_first`` answers 500 to the first N requests of each webhook-id (then 204).
    """

    def __init__(self, fail_first=0):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.received, self.fail_first, self.lock = [], fail_first, threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    msg_id = self.headers.get("webhook-id")
                    seen = sum(1 for r in receiver.received if r["headers"].get("webhook-id") == msg_id)
                    receiver.received.append({"headers": {k.lower(): v for k, v in self.headers.items()},
                                              "body": body})
                status = 500 if seen < receiver.fail_first else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def verified(self, secret):
        """Every request received whose signature checks, as (webhook-id, payload)."""
        from standardwebhooks import Webhook

        hook = Webhook(secret)
        return [(r["headers"]["webhook-id"], hook.verify(r["body"], r["headers"])) for r in self.received]


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def run_worker():
    from django.core.management import call_command

    call_command("worker", batch=True, max_tasks=500, verbosity=0)
