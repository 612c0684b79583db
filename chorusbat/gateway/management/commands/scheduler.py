"""`chorusbat scheduler`: the periodic jobs, in one small process. Run one per machine or several: each job runs
once per period whatever the number of schedulers (chorusbat.ops.periodic holds that in the database).

Cron works too, with the same commands: JOBS below says how often each runs here, and README « Running it in
production » gives the cron equivalent.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from chorusbat.ops.periodic import claim_period, period_of, prune

JOBS = [
    # (command, every N seconds)
    ("resume-transmissions", 10),
    ("sync-statuses", 15),
    ("verify-subscriptions", 300),
    ("remind-passwords", 3600),
    ("remind-situations", 3600),
    ("refresh-buyers", 86400),
    ("remind-closing-deadlines", 86400),  # end-of-market deadlines: 7 days and 1 day before each (contracts)
    ("deliver-webhooks", 10),  # webhook deliveries whose task was lost, and giving up after 24 hours
    ("prune_db_task_results", 86400),  # finished task rows older than 14 days (the transmissions keep the history)
]


def _parse_only(values: list[str]) -> list[tuple[str, float]]:
    jobs = []
    for value in values:
        name, _sep, every = value.partition("=")
        try:
            jobs.append((name, float(every)))
        except ValueError:
            raise CommandError(
                f"--only attend JOB=SECONDES, par exemple resume-transmissions=10 (reçu {value!r})."
            ) from None
        if jobs[-1][1] <= 0:
            raise CommandError("--only : l'intervalle doit être positif.")
    return jobs


class Command(BaseCommand):
    help = "Run the periodic jobs (transmission sweep, status sync, password reminders, buyer refresh)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once and stop (no period check).")
        parser.add_argument("--only", action="append", default=[], metavar="JOB=SECONDS",
                            help="Run only these jobs at these intervals (repeatable).")
        parser.add_argument("--for", dest="duration", type=float, default=None,
                            help="Stop after this many seconds (scripts and tests).")

    def _run(self, command: str) -> None:
        close_old_connections()
        try:
            call_command(command, verbosity=0, stdout=self.stdout)
        except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
            self.stderr.write(f"{command} failed: {type(exc).__name__}: {exc}")

    def handle(self, *args, **options):
        jobs = _parse_only(options["only"]) or JOBS
        if options["once"]:
            for command, _every in jobs:
                self._run(command)
            return
        stop_at = time.monotonic() + options["duration"] if options["duration"] else None
        seen: dict[str, int] = {}
        while stop_at is None or time.monotonic() < stop_at:
            for command, every in jobs:
                period = period_of(every)
                if seen.get(command) == period:
                    continue
                seen[command] = period
                if claim_period(command, every):  # another scheduler may have this period already
                    if options["verbosity"] >= 2:
                        self.stdout.write(f"ran {command} period {period}")
                    self._run(command)
            if seen.get("prune-periodic-runs") != period_of(86400):
                seen["prune-periodic-runs"] = period_of(86400)
                if claim_period("prune-periodic-runs", 86400):
                    prune()
            time.sleep(0.2)
