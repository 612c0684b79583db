"""``chorusbat unlock-login USERNAME`` (or ``--ip ADDRESS``): lift a login lockout before it expires.

django-axes locks an account after repeated wrong passwords, and an address that tries many; this clears the
failed attempts recorded for the account (and/or the address), so the next login is checked normally.
"""

from axes.utils import reset
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Débloque les connexions d'un compte (ou d'une adresse IP) bloqué après des mots de passe erronés."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="identifiant du compte à débloquer")
        parser.add_argument("--ip", dest="ip_address", help="adresse IP à débloquer")

    def handle(self, *args, username=None, ip_address=None, **options):
        if not username and not ip_address:
            raise CommandError("Indiquez l'identifiant du compte à débloquer (ou --ip ADRESSE).")
        count = 0
        if username:
            count += reset(username=username)
        if ip_address:
            count += reset(ip=ip_address)
        who = " et ".join(part for part in (f"du compte « {username} »" if username else "",
                                           f"de l'adresse {ip_address}" if ip_address else "") if part)
        self.stdout.write(f"Connexions {who} débloquées ({count} blocage(s) ou tentative(s) effacé(s)).")
