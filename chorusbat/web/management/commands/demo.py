from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from chorusbat.accounts.demo import DEMO_USERS, create_demo_data
from chorusbat.accounts.models import Company
from chorusbat.contracts.demo import create_demo_amendment, create_demo_closed_market, create_demo_late_payment
from chorusbat.situations.demo import create_demo_markets


class Command(BaseCommand):
    help = "Create the demo company, its users, its Chorus Pro subscription, markets and situations (idempotent)."

    def handle(self, *args, **options):
        info = create_demo_data()
        # The layers, bottom up: accounts (company, users), then markets and situations (the latter's demo module
        # writes both through the situation services).
        company = Company.objects.get(siret=info["siret"])
        admin = get_user_model().objects.get(username=DEMO_USERS[0][0])
        create_demo_markets(company, admin)
        create_demo_amendment(company, admin)  # the A4 market's amendment no. 1, from November 2026
        create_demo_late_payment(company, admin)  # one invoice paid late, with its late-payment claim
        create_demo_closed_market(company, admin)  # the same market, closed: final statement, DGD, retention
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
