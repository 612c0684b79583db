"""`chorusbat deliver-webhooks`: queue the webhook deliveries that are due and have no task coming (periodic)."""

from django.core.management.base import BaseCommand

from chorusbat.api.webhooks import sweep


class Command(BaseCommand):
    help = "Queue due webhook deliveries (retries the worker lost) and give up on those older than 24 hours."

    def handle(self, *args, **options):
        count = sweep()
        if options["verbosity"] > 1:
            self.stdout.write(f"{count} delivery(ies) queued.")
