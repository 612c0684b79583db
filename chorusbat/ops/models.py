"""The only table of operations: which periodic job ran for which period (see ``periodic``)."""

from django.db import models
from django.utils import timezone


class PeriodicRun(models.Model):
    job = models.CharField(max_length=64)
    period = models.BigIntegerField()  # the period's number: seconds since the epoch // the job's interval
    started_at = models.DateTimeField(default=timezone.now)
    runner = models.CharField(max_length=128, blank=True)  # host:pid of the scheduler that ran it

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "period"], name="one_run_per_job_and_period")]
