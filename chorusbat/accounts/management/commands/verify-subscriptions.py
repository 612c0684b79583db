"""`chorusbat verify-subscriptions`: re-test the Chorus Pro connections left unreachable or misconfigured, so that
held transmissions resume by themselves once Chorus Pro is back (cron: every 5 minutes)."""

from django.core.management.base import BaseCommand

from chorusbat.accounts.chorus_access import reverify_subscriptions


class Command(BaseCommand):
    help = "Re-test Chorus Pro connections whose last test failed for a reason that may have gone away."

    def handle(self, *args, **options):
        tested, verified = reverify_subscriptions()
        self.stdout.write(f"{tested} subscription(s) tested, {verified} verified.")
