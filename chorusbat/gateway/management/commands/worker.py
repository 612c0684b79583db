"""`chorusbat worker`: process background tasks (transmission steps, Factur-X documents, webhook deliveries; the
status sync is the scheduler's). Run as many as you like, on as many machines as you like: each transmission is
worked on by one worker at a time (see gateway.machine)."""

import logging
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from chorusbat.facturx import ValidatorUnavailable, warm_up

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run a background worker (Django Tasks, database backend)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.5, help="Seconds between polls when idle.")
        parser.add_argument("--batch", action="store_true", help="Stop when no task is ready (for scripts/tests).")
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument("--worker-id", default=None)

    def handle(self, *args, **options):
        # The schematrons are compiled now, not on the worker's first document (1 to 1.5 s of CPU each time a
        # worker starts), or the machine's shared validator is asked whether it answers (CHORUSBAT_VALIDATOR_SOCKET).
        # A validator that cannot run is reported here and again on each document, which waits.
        started = time.monotonic()
        try:
            warm_up()
        except ValidatorUnavailable as error:
            log.warning("Factur-X validator unavailable at start: %s", error)
            state = "Worker started without its Factur-X validator"
        else:
            state = "Worker ready"
        # On standard output whatever the log level: scripts that start workers (bench/) wait for this line.
        self.stdout.write(f"{state} (set-up {time.monotonic() - started:.1f} s)")
        self.stdout.flush()
        kwargs = {"interval": options["interval"], "batch": options["batch"], "reload": False,
                  "startup_delay": False, "verbosity": options["verbosity"]}
        if options["max_tasks"]:
            kwargs["max_tasks"] = options["max_tasks"]
        if options["worker_id"]:
            kwargs["worker_id"] = options["worker_id"]
        call_command("db_worker", **kwargs)
