"""`chorusbat chorus probe --company SIRET [--buyer SIRET]`: a READ-ONLY qualification probe of the company's
Chorus Pro platform, with the company's own credentials. Prints a French report of what answered and how (HTTP
status, codeRetour, libelle, the field names seen in works answers) and of every UNCONFIRMED assumption with
what was observed; stores the outcome on the subscription (date, platform, works API confirmed yes/no)."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from chorusbat.accounts.models import Company
from chorusbat.gateway.probing import ProbeImpossible, probe_company


class Command(BaseCommand):
    help = "Chorus Pro tools: `probe` (read-only qualification probe of a company's platform)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        probe = sub.add_parser("probe", help="Read-only probe of the company's Chorus Pro platform.")
        probe.add_argument("--company", required=True, help="SIRET, id or legal name of the company.")
        probe.add_argument("--buyer", default=None, help="A buyer SIRET to look up (default: a market's buyer).")

    def handle(self, *args, **options):
        company = _company(options["company"])
        buyer = (options.get("buyer") or "").replace(" ", "") or None
        if buyer is not None and not (buyer.isdigit() and len(buyer) == 14):
            raise CommandError("Le SIRET de l'acheteur doit compter 14 chiffres.", returncode=2)
        try:
            outcome = probe_company(company, buyer_siret=buyer)
        except ProbeImpossible as reason:
            raise CommandError(str(reason), returncode=1) from None
        self.stdout.write(outcome.text)


def _company(key: str) -> Company:
    query = Q(siret=key.replace(" ", "")) | Q(legal_name__iexact=key)
    if key.isdigit() and len(key) < 14:
        query |= Q(pk=int(key))
    found = list(Company.objects.filter(query)[:2])
    if len(found) != 1:
        raise CommandError(f"Entreprise introuvable (ou ambiguë) : {key}", returncode=2)
    return found[0]
