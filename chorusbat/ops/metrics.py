"""``/metrics``: Prometheus text format, for the people who run chorusbat, behind ``CHORUSBAT_METRICS_TOKEN``.

Two sources:
- the database, read at scrape time (so any machine gives the same figures): transmissions by state and by
  Chorus Pro status, overdue transmissions, tasks waiting and the age of the oldest, each worker's time since it
  last took a task, status-sync lag, technical passwords expiring within 30 days;
- the counters of this machine's processes (``chorusbat.ops.instruments``): Chorus Pro calls and their latency,
  token requests.
Alert on ``chorusbat_workers_idle_while_tasks_wait > 0`` (a worker has taken no task for longer than the oldest
task has waited: it is stuck or gone) and on ``chorusbat_transmissions_overdue > 0``.
"""

from __future__ import annotations

import hmac
import os
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Max, Min
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from chorusbat.accounts.models import ChorusSubscription
from chorusbat.chorus.enums import FINAL_STATUSES
from chorusbat.gateway.machine import overdue_transmissions
from chorusbat.gateway.models import SyncCursor, Transmission

WORKERS_SEEN_FOR = timedelta(hours=24)  # a worker that took no task for a day is no longer listed


class DatabaseCollector:
    """Gauges computed from the database, a handful of aggregate queries whatever the volume."""

    def collect(self):
        now = timezone.now()
        by_state = GaugeMetricFamily("chorusbat_transmissions", "Transmissions by state.", labels=["state"])
        counts = dict(Transmission.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
        for state in Transmission.State.values:
            by_state.add_metric([state], counts.get(state, 0))
        yield by_state

        by_status = GaugeMetricFamily("chorusbat_invoices", "Invoices in Chorus Pro by Chorus Pro status.",
                                      labels=["chorus_status"])
        for status, n in (Transmission.objects.filter(state=Transmission.State.INTEGRATED)
                          .values_list("chorus_status").annotate(n=Count("id")).values_list("chorus_status", "n")):
            by_status.add_metric([status or "unknown"], n)
        yield by_status

        yield GaugeMetricFamily("chorusbat_transmissions_overdue",
                                "Transmissions whose next step is overdue (should be 0).",
                                value=overdue_transmissions().count())

        waiting = DBTaskResult.objects.ready()
        oldest = waiting.aggregate(oldest=Min("run_after"))["oldest"]
        oldest_age = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
        yield GaugeMetricFamily("chorusbat_tasks_waiting", "Tasks ready to run, not taken yet.",
                                value=waiting.count())
        yield GaugeMetricFamily("chorusbat_tasks_oldest_waiting_seconds",
                                "How long the oldest ready task has waited.", value=oldest_age)

        per_worker = GaugeMetricFamily("chorusbat_worker_last_task_seconds",
                                       "Seconds since each worker (seen within a day) last took a task.",
                                       labels=["worker"])
        last_by_worker: dict[str, float] = {}
        for ids, started in (DBTaskResult.objects.filter(started_at__gte=now - WORKERS_SEEN_FOR)
                             .values_list("worker_ids").annotate(last=Max("started_at"))
                             .values_list("worker_ids", "last")):
            for worker in ids or []:
                age = (now - started).total_seconds()
                last_by_worker[worker] = min(age, last_by_worker.get(worker, age))
        for worker, age in sorted(last_by_worker.items()):
            per_worker.add_metric([worker], age)
        yield per_worker
        idle = sum(1 for age in last_by_worker.values() if oldest and age > oldest_age)
        yield GaugeMetricFamily("chorusbat_workers_idle_while_tasks_wait",
                                "Workers that took no task for longer than the oldest ready task has waited.",
                                value=idle)

        yield GaugeMetricFamily("chorusbat_status_sync_lag_seconds",
                                "Longest time since a company with invoices to follow had its statuses synced.",
                                value=_sync_lag(now))
        yield GaugeMetricFamily("chorusbat_passwords_expiring_30d",
                                "Technical passwords that expire within 30 days (or have expired).",
                                value=_passwords_expiring(now))


def _sync_lag(now) -> float:
    followed = (Transmission.objects.filter(state=Transmission.State.INTEGRATED)
                .exclude(chorus_status__in=[str(s) for s in FINAL_STATUSES])
                .values("company_id").annotate(since=Min("chorus_status_at")))
    last_runs = dict(SyncCursor.objects.values_list("company_id", "last_run_at"))
    lag = 0.0
    for row in followed:
        reference = last_runs.get(row["company_id"]) or row["since"]
        if reference:
            lag = max(lag, (now - reference).total_seconds())
    return lag


def _passwords_expiring(now) -> int:
    limit = now + timedelta(days=30)
    subscriptions = ChorusSubscription.objects.only("password_set_at", "password_expires_reported")
    return sum(1 for s in subscriptions.iterator() if s.password_set_at and s.password_expires_at <= limit)


def authorised(request) -> bool:
    expected = getattr(settings, "CHORUSBAT_METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "")
    return bool(expected) and hmac.compare_digest(given.encode(), f"Bearer {expected}".encode())


@login_not_required
@never_cache
@require_GET
def metrics_view(request):
    if not getattr(settings, "CHORUSBAT_METRICS_TOKEN", ""):
        return HttpResponse("Metrics are disabled: set CHORUSBAT_METRICS_TOKEN.\n", status=404,
                            content_type="text/plain; charset=utf-8")
    if not authorised(request):
        response = HttpResponse("A valid bearer token is required.\n", status=401,
                                content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="chorusbat metrics"'
        return response
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    registry.register(DatabaseCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
