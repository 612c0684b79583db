"""`chorusbat worker`: process background tasks (transmission steps, Factur-X documents, webhook deliveries; the
status sync is the scheduler's). Run as many as you like, on as many machines as you like: each transmission is
worked on by one worker at a time (see gateway.machine)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run a background worker (Django Tasks, database backend)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.5, help="Seconds between polls when idle.")
        parser.add_argument("--batch", action="store_true", help="Stop when no task is ready (for scripts/tests).")
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument("--worker-id", default=None)

    def handle(self, *args, **options):
        kwargs = {"interval": options["interval"], "batch": options["batch"], "reload": False,
                  "startup_delay": False, "verbosity": options["verbosity"]}
        if options["max_tasks"]:
            kwargs["max_tasks"] = options["max_tasks"]
        if options["worker_id"]:
            kwargs["worker_id"] = options["worker_id"]
        call_command("db_worker", **kwargs)
