"""A periodic job runs once per period, however many schedulers run on however many machines.

Each scheduler, when a job's period comes, inserts the row (job, period number) into ``PeriodicRun``; the unique
constraint lets exactly one insert succeed, in PostgreSQL as in SQLite, and only that scheduler runs the job. This
is held in the database (no file, no process-local flag), so it needs nothing more than the database every process
already shares. Old rows are pruned by the scheduler itself.
"""

from __future__ import annotations

import os
import socket
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from chorusbat.ops.models import PeriodicRun


def period_of(every_seconds: float, at: float | None = None) -> int:
    return int((time.time() if at is None else at) // every_seconds)


def claim_period(job: str, every_seconds: float, at: float | None = None) -> bool:
    """True for exactly one caller per (job, period): that caller runs the job."""
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(job=job, period=period_of(every_seconds, at),
                                       runner=f"{socket.gethostname()}:{os.getpid()}"[:128])
        return True
    except IntegrityError:
        return False


def prune(older_than: timedelta = timedelta(days=7)) -> int:
    return PeriodicRun.objects.filter(started_at__lt=timezone.now() - older_than).delete()[0]
