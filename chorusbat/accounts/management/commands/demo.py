from django.conf import settings
from django.core.management.base import BaseCommand

from chorusbat.accounts.demo import create_demo_data


class Command(BaseCommand):
    help = "Create the demo company, its users and its Chorus Pro subscription (idempotent)."

    def handle(self, *args, **options):
        info = create_demo_data()
        self.stdout.write(f"Demo company: {info['company']}")
        for u in info["users"]:
            self.stdout.write(f"  user {u['username']!r} password {u['password']!r} ({u['role']})")
        if info["technical_account"]:
            t = info["technical_account"]
            # Never the technical password itself: this output lands in logs. Say where to read it.
            self.stdout.write(
                f"  sandbox technical account {t['login']!r}: its password is on the sandbox's page "
                f"{settings.CHORUSBAT_SANDBOX_URL}/_sim/credentials (or: chorusbat sandbox --print-credentials)"
            )
