"""`chorusbat resume-transmissions`: schedule every transmission that is due (retries, held ones whose cause may be
fixed, and those a stopped worker left behind). Cron: every minute."""

from django.core.management.base import BaseCommand

from chorusbat.gateway.services import sweep


class Command(BaseCommand):
    help = "Schedule the transmissions that need a step now (including those left by a crashed worker)."

    def handle(self, *args, **options):
        self.stdout.write(f"{sweep()} transmission(s) scheduled.")
