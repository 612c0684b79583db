"""`chorusbat remind-passwords`: e-mail the technical-password expiry reminders that are due (run it daily, or
more often: every reminder is sent exactly once)."""

from django.core.management.base import BaseCommand

from chorusbat.people.password_reminders import send_password_reminders


class Command(BaseCommand):
    help = "Send the Chorus Pro technical password reminders due today (exactly once each)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Address of chorusbat in e-mails.")

    def handle(self, *args, **options):
        run = send_password_reminders(base_url=options["base_url"])
        self.stdout.write(f"{run.sent} reminder(s) sent, {run.skipped} already sent.")
