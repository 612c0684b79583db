"""`chorusbat api-key create --company SIRET --name NAME`: a new API key, printed once as the last line.

Also `chorusbat api-key list --company SIRET` and `chorusbat api-key revoke --company SIRET --prefix PREFIX`.
"""

from django.core.management.base import BaseCommand, CommandError

from chorusbat.accounts.models import Company
from chorusbat.api import keys
from chorusbat.api.models import ApiKey


class Command(BaseCommand):
    help = "Create, list or revoke the API keys of a company."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = sub.add_parser("create", help="create a key (printed once, as the last line)")
        create.add_argument("--company", required=True, help="the company's SIRET")
        create.add_argument("--name", required=True, help="what the key is for (e.g. the ERP's name)")
        listing = sub.add_parser("list", help="list the company's keys (never the keys themselves)")
        listing.add_argument("--company", required=True)
        revoke = sub.add_parser("revoke", help="revoke a key")
        revoke.add_argument("--company", required=True)
        revoke.add_argument("--prefix", required=True, help="the key's first characters, as `list` shows them")

    def handle(self, *args, **options):
        siret = options["company"].replace(" ", "")
        company = Company.objects.filter(siret=siret).first()
        if company is None:
            raise CommandError(f"Company with SIRET {siret} not found.")
        if options["action"] == "create":
            name = options["name"].strip()
            if not name:
                raise CommandError("--name must not be empty.")
            key, raw = keys.create_key(company, name)
            self.stdout.write(f"API key “{key.name}” created for {company.legal_name} ({company.siret}).")
            self.stdout.write("It is shown once: store it now (requests use “Authorization: Bearer <key>”).")
            self.stdout.write(raw)
        elif options["action"] == "list":
            for key in ApiKey.objects.filter(company=company):
                state = "revoked" if key.revoked_at else "active"
                used = key.last_used_at.isoformat() if key.last_used_at else "never used"
                self.stdout.write(f"{key.prefix}…  {key.name}  {state}  created {key.created_at:%Y-%m-%d}  {used}")
        else:
            matching = list(ApiKey.objects.filter(company=company, prefix__startswith=options["prefix"].rstrip("…"),
                                                  revoked_at__isnull=True))
            if len(matching) != 1:
                raise CommandError(f"{len(matching)} active key(s) match this prefix: give more characters.")
            keys.revoke(matching[0])
            self.stdout.write(f"Key {matching[0].prefix}… revoked.")
