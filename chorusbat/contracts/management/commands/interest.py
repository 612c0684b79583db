"""``chorusbat interest --company SIRET``: the company's invoices paid late, as JSON on standard output.

Each item: invoice, dates (due, paid), days late, ECB rate and applied rate, principal, interest, indemnity and
total (decimals as strings), or ``error`` when the ECB rate of its half-year is missing. Bad arguments: a French
message on standard error, exit 2.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from chorusbat.accounts.models import Company
from chorusbat.contracts.interest import late_invoices

EXIT_INVALID = 2


class Command(BaseCommand):
    help = "Print the company's invoices paid late (days late, rate, interest, indemnity) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--company", default="", help="SIRET of the company")

    def handle(self, *args, **options):
        siret = "".join(options["company"].split())
        if not siret:
            self.fail("L'option --company est obligatoire. Usage : chorusbat interest --company SIRET")
        companies = list(Company.objects.filter(siret=siret)[:2])
        if len(companies) != 1:
            self.fail(f"Aucune entreprise n'a le SIRET « {siret} »." if not companies
                      else f"Plusieurs entreprises ont le SIRET « {siret} ».")
        rows = [row.as_json() for row in late_invoices(companies[0])]
        self.stdout.write(json.dumps({"company": siret, "late_invoices": rows}, ensure_ascii=False, indent=2))

    def fail(self, message: str):
        self.stderr.write(message)
        sys.exit(EXIT_INVALID)
