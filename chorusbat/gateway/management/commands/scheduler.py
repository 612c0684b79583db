"""`chorusbat scheduler`: the periodic jobs of `make run`, in one small process.

In production, use cron with the same commands instead (see README): resume-transmissions every minute,
sync-statuses every 5 minutes, remind-passwords daily, refresh-buyers daily, prune_db_task_results daily.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

JOBS = [
    # (command, every N seconds)
    ("resume-transmissions", 10),
    ("sync-statuses", 15),
    ("verify-subscriptions", 300),
    ("remind-passwords", 3600),
    ("refresh-buyers", 86400),
    ("deliver-webhooks", 10),  # webhook deliveries whose task was lost, and giving up after 24 hours
    ("prune_db_task_results", 86400),  # finished task rows older than 14 days (the transmissions keep the history)
]


class Command(BaseCommand):
    help = "Run the periodic jobs (transmission sweep, status sync, password reminders, buyer refresh)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once and stop.")

    def handle(self, *args, **options):
        last_run: dict[str, float] = {}
        while True:
            now = time.monotonic()
            for command, every in JOBS:
                if now - last_run.get(command, -every) >= every:
                    last_run[command] = now
                    close_old_connections()
                    try:
                        call_command(command, verbosity=0, stdout=self.stdout)
                    except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
                        self.stderr.write(f"{command} failed: {exc}")
            if options["once"]:
                return
            time.sleep(1)
