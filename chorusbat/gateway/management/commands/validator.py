"""`chorusbat validator`: the machine's shared Factur-X validator (chorusbat.facturx.validator_service).

Optional. Without it each worker runs the two schematrons itself and carries Saxon's ~150 MB; with several workers
on one machine, run one validator and give every process of the machine its socket in CHORUSBAT_VALIDATOR_SOCKET.
Start it before the workers (a worker that cannot reach it leaves its documents waiting, never unchecked)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chorusbat.facturx import ValidatorUnavailable
from chorusbat.facturx.validator_service import serve


class Command(BaseCommand):
    help = "Run this machine's shared Factur-X validator on a Unix socket (CHORUSBAT_VALIDATOR_SOCKET)."

    def add_arguments(self, parser):
        parser.add_argument("--socket", default=settings.CHORUSBAT_VALIDATOR_SOCKET,
                            help="Path of the Unix socket (default: CHORUSBAT_VALIDATOR_SOCKET).")

    def handle(self, *args, **options):
        if not options["socket"]:
            raise CommandError("Indiquez le chemin du socket : --socket ou CHORUSBAT_VALIDATOR_SOCKET.")
        try:
            serve(options["socket"])
        except (ValidatorUnavailable, OSError) as error:
            raise CommandError(f"Le validateur n'a pas pu démarrer : {error}") from error
