"""``chorusbat export sales --company SIRET --from YYYY-MM-DD --to YYYY-MM-DD --format fec|csv``.

Writes the company's sales journal for the period on standard output (FEC: tab-separated with a header line;
CSV: semicolons). Bad arguments: a French message on standard error, exit 2.
"""

from __future__ import annotations

import datetime
import sys

from django.core.management.base import BaseCommand, CommandParser

from chorusbat.accounts.models import Company
from chorusbat.books.journal import JournalError
from chorusbat.books.services import render_journal

EXIT_INVALID = 2


USAGE = "chorusbat export sales --company SIRET --from AAAA-MM-JJ --to AAAA-MM-JJ --format fec|csv"


class _FrenchParser(CommandParser):
    def error(self, message):
        sys.stderr.write(f"Arguments incorrects ({message}).\nUsage : {USAGE}\n")
        sys.exit(EXIT_INVALID)


class Command(BaseCommand):
    help = "Export accounting data (the sales journal of a company, FEC or CSV) on standard output."

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.error = _FrenchParser.error.__get__(parser)
        return parser

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="what", metavar="{sales}", parser_class=_FrenchParser)
        sales = subcommands.add_parser("sales", help="the sales journal of a period")
        sales.add_argument("--company", default="", help="SIRET of the company")
        sales.add_argument("--from", dest="start", default="", help="first day, YYYY-MM-DD")
        sales.add_argument("--to", dest="end", default="", help="last day, YYYY-MM-DD")
        sales.add_argument("--format", dest="fmt", default="fec", help="fec (default) or csv")

    def handle(self, *args, **options):
        if options.get("what") != "sales":
            self.fail(f"Précisez ce qu'il faut exporter. Usage : {USAGE}")
        for option, key in (("--company", "company"), ("--from", "start"), ("--to", "end")):
            if not options[key]:
                self.fail(f"L'option {option} est obligatoire. Usage : {USAGE}")
        start = self._date(options["start"], "--from")
        end = self._date(options["end"], "--to")
        if end < start:
            self.fail("La date de fin (--to) précède la date de début (--from).")
        if options["fmt"] not in ("fec", "csv"):
            self.fail(f"Format inconnu « {options['fmt']} » : choisissez fec ou csv.")
        siret = "".join(options["company"].split())
        companies = list(Company.objects.filter(siret=siret)[:2])
        if len(companies) != 1:
            self.fail(f"Aucune entreprise n'a le SIRET « {siret} »." if not companies
                      else f"Plusieurs entreprises ont le SIRET « {siret} ».")
        try:
            text = render_journal(companies[0], start, end, options["fmt"])
        except JournalError as error:
            self.fail(str(error))
        self.stdout.ending = ""
        self.stdout.write(text)

    def _date(self, value: str, option: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.fail(f"Date incorrecte pour {option} : « {value} » (attendu AAAA-MM-JJ, par exemple 2026-03-31).")

    def fail(self, message: str):
        self.stderr.write(message)
        sys.exit(EXIT_INVALID)
