"""Health checks, metrics, request logs and the periodic-job lock, in process (the served ones: test_serve.py)."""

import json
import logging

import pytest
from django.urls import reverse

from chorusbat.ops.periodic import claim_period
from chorusbat.ops.requestlog import JsonFormatter

pytestmark = pytest.mark.django_db


def test_healthz_needs_no_login_nor_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_migrations_and_data_directory(client, settings, tmp_path):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "migrations": "ok", "data_directory": "ok"}
    settings.DATA_DIR = tmp_path / "missing"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {
        "database": "ok", "migrations": "ok", "data_directory": "failed"}}


def test_readyz_reports_unapplied_migrations(client, monkeypatch):
    from chorusbat.ops import health

    monkeypatch.setattr(health.MigrationExecutor, "migration_plan", lambda self, targets: [("a migration", False)])
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["migrations"] == "failed"


def test_metrics_are_off_without_a_token_and_refused_with_a_wrong_one(client, settings):
    settings.CHORUSBAT_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    settings.CHORUSBAT_METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 401
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong")
    assert response.status_code == 401 and "s3cret" not in response.content.decode()
    assert client.post("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 405


def _metrics(client, settings) -> str:
    settings.CHORUSBAT_METRICS_TOKEN = "s3cret-token"
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_metrics_count_transmissions_tasks_and_overdue(client, settings, company, admin_user):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from chorusbat.gateway.models import Transmission
    from chorusbat.gateway.services import send
    from chorusbat.gateway.tests.conftest import make_situations

    send(make_situations(company, admin_user, markets=1, per_market=3, prefix="M"))
    text = _metrics(client, settings)
    assert 'chorusbat_transmissions{state="queued"} 3.0' in text
    waiting = DBTaskResult.objects.ready().count()  # three steps, and the documents validation asked for
    assert waiting >= 3 and f"chorusbat_tasks_waiting {waiting}.0" in text
    assert "chorusbat_transmissions_overdue 0.0" in text
    Transmission.objects.update(updated_at=timezone.now() - timedelta(hours=3))
    assert "chorusbat_transmissions_overdue 3.0" in _metrics(client, settings)


def test_a_worker_idle_while_tasks_wait_shows(client, settings, company, admin_user):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from chorusbat.gateway.services import send
    from chorusbat.gateway.tests.conftest import make_situations

    situations = make_situations(company, admin_user, markets=1, per_market=2, prefix="W")
    DBTaskResult.objects.all().delete()  # the document builds validation queued: not this test's subject
    send(situations[:1])
    taken = DBTaskResult.objects.get()
    taken.claim("worker-a")  # worker-a took a task ten minutes ago, and nothing since
    DBTaskResult.objects.filter(pk=taken.pk).update(started_at=timezone.now() - timedelta(minutes=10),
                                                    status="SUCCESSFUL")
    send(situations[1:])  # a task waits for two minutes: worker-a should have taken it
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(minutes=2))
    text = _metrics(client, settings)
    assert 'chorusbat_worker_last_task_seconds{worker="worker-a"}' in text
    assert "chorusbat_workers_idle_while_tasks_wait 1.0" in text
    oldest = [line for line in text.splitlines() if line.startswith("chorusbat_tasks_oldest_waiting_seconds")][0]
    assert 119 <= float(oldest.split()[-1]) < 300


def test_chorus_pro_calls_are_counted_by_operation(client, settings, chorus, subscription):
    from chorusbat.accounts.chorus_access import verify_subscription

    assert verify_subscription(subscription).ok
    text = _metrics(client, settings)
    calls = [line for line in text.splitlines() if line.startswith("chorusbat_chorus_calls_total{")]
    assert any('operation="token"' in line for line in calls), calls
    assert any('outcome="2xx"' in line and "structures" in line for line in calls), calls
    assert "chorusbat_chorus_call_seconds_bucket" in text
    assert "chorusbat_chorus_token_requests_total" in text
    assert subscription.get_password() not in text


def test_request_log_is_one_json_object_with_the_route_template(client, admin_user, caplog):
    client.force_login(admin_user)
    with caplog.at_level(logging.INFO, logger="chorusbat.request"):
        response = client.get("/marches/?q=secret-query", HTTP_X_REQUEST_ID="req-42")
    assert response["X-Request-ID"] == "req-42"
    [record] = [r for r in caplog.records if r.name == "chorusbat.request"]
    entry = json.loads(JsonFormatter().format(record))
    assert entry["route"] == "marches/" and entry["status"] == 200 and entry["method"] == "GET"
    assert entry["company_id"] == admin_user.membership.company_id
    assert entry["request_id"] == "req-42" and entry["duration_ms"] >= 0
    assert "secret-query" not in json.dumps(entry)


def test_a_strange_request_id_is_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>" * 20)
    assert len(response["X-Request-ID"]) == 32 and "<" not in response["X-Request-ID"]


def test_a_period_is_claimed_once():
    assert claim_period("job-a", 60, at=6000.0)
    assert not claim_period("job-a", 60, at=6030.0)  # same period
    assert claim_period("job-b", 60, at=6030.0)  # another job
    assert claim_period("job-a", 60, at=6060.0)  # next period


def test_security_headers_on_every_page(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
