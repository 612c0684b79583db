"""`chorusbat remind-closing-deadlines`: e-mail the members who want it 7 days and 1 day before each open deadline
of a market's end (once each; safe to run as often as wanted; the scheduler runs it daily)."""

from django.core.management.base import BaseCommand

from chorusbat.contracts.reminders import send_closing_reminders


class Command(BaseCommand):
    help = "E-mail the reminders of the end-of-market deadlines (7 days and 1 day before; once each)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Address of chorusbat in e-mails.")

    def handle(self, *args, **options):
        sent = send_closing_reminders(base_url=options["base_url"])
        self.stdout.write(f"{sent} reminder(s) sent.")
