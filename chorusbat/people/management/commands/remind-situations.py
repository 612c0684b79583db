"""`chorusbat remind-situations`: from the 20th, e-mail the members who want it about markets still without their
situation for the month (once per market and month; safe to run as often as wanted)."""

from django.core.management.base import BaseCommand

from chorusbat.people.notifications import send_situation_reminders


class Command(BaseCommand):
    help = "E-mail the reminders of situations due this month for markets without one yet (once each)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Address of chorusbat in e-mails.")

    def handle(self, *args, **options):
        sent = send_situation_reminders(base_url=options["base_url"])
        self.stdout.write(f"{sent} reminder(s) sent.")
