"""`chorusbat refresh-buyers`: re-read from Chorus Pro the buyers cached more than a day ago (run it daily)."""

from django.core.management.base import BaseCommand

from chorusbat.accounts.buyer_cache import refresh_stale_lookups


class Command(BaseCommand):
    help = "Refresh the cached Chorus Pro data of public buyers (rules, services)."

    def handle(self, *args, **options):
        refreshed, failed = refresh_stale_lookups()
        self.stdout.write(f"{refreshed} buyer(s) refreshed, {failed} failed (retried next run).")
