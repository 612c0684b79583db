"""Webhooks: subscription, Standard Webhooks signatures, retries with a stable webhook-id, replay, URL rules."""

import time

import pytest
from django.utils import timezone

from chorusbat.api.models import WebhookDelivery
from chorusbat.api.tests.conftest import SITUATION_1, Receiver, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def subscribe(api, url, events):
    response = api.post("/webhooks", {"url": url, "events": events})
    assert response.status_code == 201, response.content
    return response.json()


def test_validation_is_delivered_signed(api, market_body, receiver):
    hook = subscribe(api, receiver.url, ["situation.validated"])
    assert hook["secret"].startswith("whsec_")
    assert api.get("/webhooks").json()["items"][0]["secret"] is None  # shown once
    market = api.post("/markets", market_body).json()
    situation = api.post(f"/markets/{market['id']}/situations", SITUATION_1).json()
    api.post(f"/situations/{situation['id']}/validate")
    run_worker()
    [(msg_id, payload)] = receiver.verified(hook["secret"])
    assert msg_id == f"msg_sv_{situation['id']}"
    assert payload["type"] == "situation.validated"
    assert payload["data"]["number"] == "F2026-0093" and payload["data"]["net"] == "12786.01"
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "delivered" and delivery.last_status_code == 204
    assert delivery.attempt_log.count() == 1


def test_failures_are_retried_with_the_same_id_then_replayed(api, market_body, settings):
    settings.CHORUSBAT_WEBHOOK_RETRY_BASE_SECONDS = 0.2
    failing = Receiver(fail_first=2)
    try:
        hook = subscribe(api, failing.url, ["situation.validated"])
        market = api.post("/markets", market_body).json()
        situation = api.post(f"/markets/{market['id']}/situations", SITUATION_1).json()
        api.post(f"/situations/{situation['id']}/validate")
        deadline = time.monotonic() + 30
        while WebhookDelivery.objects.get().state != "delivered" and time.monotonic() < deadline:
            run_worker()
            time.sleep(0.2)
        delivery = WebhookDelivery.objects.get()
        assert delivery.state == "delivered" and delivery.attempts == 3
        ids = {msg_id for msg_id, _payload in failing.verified(hook["secret"])}
        assert ids == {f"msg_sv_{situation['id']}"} and len(failing.received) == 3
        assert [a.status_code for a in delivery.attempt_log.order_by("at", "id")] == [500, 500, 204]

        from chorusbat.api.webhooks import replay

        replay(delivery)
        run_worker()
        assert len(failing.received) == 4
        assert failing.received[-1]["headers"]["webhook-id"] == f"msg_sv_{situation['id']}"
    finally:
        failing.close()


def test_gives_up_after_the_retry_window(api, market_body, settings):
    settings.CHORUSBAT_WEBHOOK_RETRY_BASE_SECONDS = 0.2
    settings.CHORUSBAT_WEBHOOK_RETRY_WINDOW_SECONDS = 0.5
    failing = Receiver(fail_first=100)
    try:
        subscribe(api, failing.url, ["situation.validated"])
        market = api.post("/markets", market_body).json()
        situation = api.post(f"/markets/{market['id']}/situations", SITUATION_1).json()
        api.post(f"/situations/{situation['id']}/validate")
        deadline = time.monotonic() + 20
        while WebhookDelivery.objects.get().state == "pending" and time.monotonic() < deadline:
            run_worker()
            time.sleep(0.2)
        assert WebhookDelivery.objects.get().state == "failed"
    finally:
        failing.close()


def test_sweep_requeues_a_lost_delivery(api, market_body, receiver):
    from django_tasks_db.models import DBTaskResult

    from chorusbat.api.webhooks import sweep

    subscribe(api, receiver.url, ["situation.validated"])
    market = api.post("/markets", market_body).json()
    situation = api.post(f"/markets/{market['id']}/situations", SITUATION_1).json()
    api.post(f"/situations/{situation['id']}/validate")
    DBTaskResult.objects.all().delete()  # the task was lost (a crash, a purge)
    WebhookDelivery.objects.update(enqueued_for=timezone.now() - timezone.timedelta(hours=1))
    assert sweep() == 1
    run_worker()
    assert WebhookDelivery.objects.get().state == "delivered" and len(receiver.received) == 1


@pytest.mark.parametrize("url,ok", [
    ("https://erp.example.fr/hooks", True),
    ("http://127.0.0.1:9000/hooks", True),
    ("http://[::1]:9000/hooks", True),
    ("http://erp.example.fr/hooks", False),
    ("http://10.0.0.1/hooks", False),
    ("ftp://127.0.0.1/hooks", False),
    ("https://user:pw@erp.example.fr/", False),
    ("not a url", False),
])
def test_webhook_urls(url, ok, settings):
    from chorusbat.api.webhooks import url_errors

    assert (url_errors(url) == []) is ok
    settings.PRODUCTION = True
    if url.startswith("http://"):
        assert url_errors(url) != []


def test_webhook_problems(api):
    response = api.post("/webhooks", {"url": "http://erp.example.fr/x", "events": ["situation.validated"]})
    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/url"
    response = api.post("/webhooks", {"url": "https://erp.example.fr/x", "events": ["nope"]})
    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/events/0"
    hook = api.post("/webhooks", {"url": "https://erp.example.fr/x", "events": ["invoice.integrated"]}).json()
    assert api.delete(f"/webhooks/{hook['id']}").status_code == 204
    assert api.delete(f"/webhooks/{hook['id']}").status_code == 404


def test_held_and_password_events(api, company, receiver):
    import datetime

    from chorusbat.accounts.models import PasswordReminder
    from chorusbat.gateway.models import Transmission, TransmissionEvent
    from chorusbat.gateway.tests.conftest import make_situations

    hook = subscribe(api, receiver.url, ["transmission.held", "subscription.password_expiring"])
    situation = make_situations(company, None, markets=1, per_market=1)[0]
    t = Transmission.objects.create(company=company, situation=situation)
    TransmissionEvent.objects.create(transmission=t, kind="queued")  # not subscribed
    TransmissionEvent.objects.create(transmission=t, kind="held", message="Abonnement non vérifié.")
    PasswordReminder.objects.create(company=company, expires_on=datetime.date(2027, 1, 1), stage=15)
    run_worker()
    payloads = {p["type"]: p["data"] for _id, p in receiver.verified(hook["secret"])}
    assert payloads["transmission.held"]["reason"] == "Abonnement non vérifié."
    assert payloads["transmission.held"]["situation_id"] == situation.pk
    assert payloads["subscription.password_expiring"] == {"company_id": company.pk, "expires_on": "2027-01-01",
                                                          "days_left": 15}


def test_events_feed_pages_with_a_cursor(api, company, other_api, settings):
    from chorusbat.gateway.models import Transmission, TransmissionEvent
    from chorusbat.gateway.tests.conftest import make_situations

    situation = make_situations(company, None, markets=1, per_market=1)[0]
    t = Transmission.objects.create(company=company, situation=situation)
    for n in range(5):
        TransmissionEvent.objects.create(transmission=t, kind="flux_state", message=f"e{n}")
    assert api.get("/events").json()["events"] == []  # not settled yet: the feed waits a moment
    settings.CHORUSBAT_API_EVENTS_SETTLE_SECONDS = 0
    first = api.get("/events?limit=2").json()
    assert [e["message"] for e in first["events"]] == ["e0", "e1"] and first["has_more"]
    rest = api.get(f"/events?after={first['next_cursor']}&limit=10").json()
    assert [e["message"] for e in rest["events"]] == ["e2", "e3", "e4"] and not rest["has_more"]
    assert api.get(f"/events?after={rest['next_cursor']}").json() == {
        "events": [], "next_cursor": rest["next_cursor"], "has_more": False}
    assert api.get("/events?after=abc").status_code == 422
    assert other_api.get("/events").json()["events"] == []


def test_an_abandoned_idempotency_key_is_reusable(api, market_body):
    from chorusbat.api.models import IdempotencyRecord

    api.post("/markets", market_body, idem="k1")
    IdempotencyRecord.objects.update(status=None)  # as if the first request were still running
    response = api.post("/markets", market_body, idem="k1")
    assert response.status_code == 409 and response["Retry-After"] == "1"
    IdempotencyRecord.objects.update(created_at=timezone.now() - timezone.timedelta(hours=1))  # it died
    market_body["market"]["number"] = "AUTRE-1"  # a fresh request under the dead one's key
    response = api.post("/markets", market_body, idem="k1")
    assert response.status_code == 201, response.content


def test_a_deleted_webhook_gets_nothing_more(api, company, receiver):
    from chorusbat.api.webhooks import emit

    hook = subscribe(api, receiver.url, ["situation.validated"])
    emit(company.pk, "situation.validated", "msg_x", {"id": 1})
    assert api.delete(f"/webhooks/{hook['id']}").status_code == 204
    emit(company.pk, "situation.validated", "msg_y", {"id": 2})  # no delivery for a deleted webhook
    run_worker()
    assert receiver.received == [] and list(WebhookDelivery.objects.values_list("state", flat=True)) == ["failed"]


def test_signing_secrets_follow_the_key_rotation(company, settings):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from chorusbat.api.webhooks import create_endpoint

    old, new = settings.ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    endpoint, secret = create_endpoint(company, "https://erp.example.fr/h", ["invoice.integrated"])
    settings.ENCRYPTION_KEYS = [new, old]
    call_command("rotate-encryption-keys")
    settings.ENCRYPTION_KEYS = [new]
    endpoint.refresh_from_db()
    assert endpoint.get_secret() == secret
