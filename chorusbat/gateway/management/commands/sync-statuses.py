"""`chorusbat sync-statuses`: one status-sync cycle for every company (cron: every few minutes)."""

from django.core.management.base import BaseCommand

from chorusbat.gateway.sync import sync_all


class Command(BaseCommand):
    help = "Read from Chorus Pro the invoices whose status changed (one paginated search per company)."

    def handle(self, *args, **options):
        report = sync_all()
        self.stdout.write(f"{report.changed} status change(s), {report.calls} Chorus Pro call(s).")
