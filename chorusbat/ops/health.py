"""Health checks for a load balancer or an orchestrator; no login, no secret, no detail beyond the check names.

- ``/healthz``: the process answers (no database): restart the process when it fails.
- ``/readyz``: the database answers, every migration is applied, the data directory is writable: send traffic
  only when it succeeds (503 with the failed checks otherwise).
"""

from __future__ import annotations

import logging
import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from chorusbat.ops.metrics import authorised

log = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0] == 1


def _migrations() -> bool:
    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def _data_directory() -> bool:
    with tempfile.NamedTemporaryFile(dir=settings.DATA_DIR, prefix=".readyz-") as probe:
        probe.write(b"ok")
        probe.flush()
    return True


CHECKS = {"database": _database, "migrations": _migrations, "data_directory": _data_directory}


@login_not_required
@never_cache
@require_GET
def readyz(request):
    results = {}
    for name, check in CHECKS.items():
        if name == "migrations" and results["database"] != "ok":
            results[name] = "not checked"
            continue
        try:
            results[name] = "ok" if check() else "failed"
        except (DatabaseError, OSError) as exc:
            log.warning("readiness check %s failed: %s", name, type(exc).__name__)
            results[name] = "failed"
    ready = all(v == "ok" for v in results.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": results}, status=200 if ready else 503)


class ErrorProbe(RuntimeError):
    """Raised on purpose by ``/ops/error-probe`` to check error pages and error logging end to end."""


@login_not_required
@never_cache
def error_probe(request):
    """Fails on purpose, when ``CHORUSBAT_ERROR_PROBE=1`` and with the metrics token; 404 otherwise.

    Lets the people who run chorusbat (and the tests) see what a server error looks like: the French error page
    for the user, one JSON log line with the exception for them, and no secret in either.
    """
    if not getattr(settings, "CHORUSBAT_ERROR_PROBE", False) or not authorised(request):
        raise Http404
    raise ErrorProbe("error probe: this error was asked for")
