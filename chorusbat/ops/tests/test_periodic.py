"""Two schedulers at once (two real processes on the same database): each period of a job runs once."""

import os
import re
import subprocess
import sys
from collections import Counter

import pytest
from django.db import connection

from chorusbat.ops.models import PeriodicRun

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_two_schedulers_run_each_period_once():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chorusbat.settings_test",
           "CHORUSBAT_TEST_DB_NAME": str(connection.settings_dict["NAME"])}
    command = [sys.executable, "-m", "chorusbat", "scheduler", "--only", "resume-transmissions=1", "--for", "6",
               "-v", "2"]
    procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-2000:] for _out, err in outputs]
    periods = [int(n) for out, _err in outputs for n in re.findall(r"ran resume-transmissions period (\d+)", out)]
    assert len(periods) >= 2, outputs  # it did run, period after period
    assert not [p for p, n in Counter(periods).items() if n > 1], "a period ran twice"
    assert PeriodicRun.objects.filter(job="resume-transmissions").count() == len(periods)


def test_only_needs_job_and_seconds():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="JOB=SECONDES"):
        call_command("scheduler", only=["resume-transmissions"], duration=0.1)
