"""``chorusbat situation compute FILE.json`` (and ``render``): the situation file on the command line.

``compute`` prints the result of ``situation-rules.md`` §4 as JSON on standard output (exit 0); validation
errors, an unreadable file or invalid JSON are printed on standard error, one per line (exit 2).
``render`` hands the file to the Factur-X builder (``chorusbat.facturx.file_render.render_situation_file``) when that
module is installed.

The command only moves data in and out: reading, validation, computation and every French message live in
the engine (``chorusbat.engine``), which has no Django dependency.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chorusbat.engine import SituationValidationError, compute_situation_file, load_situation_file
from chorusbat.facturx.file_render import render_situation_file

EXIT_INVALID = 2
FRENCH_USAGE = (
    "Utilisation : chorusbat situation compute FICHIER.json\n"
    "              chorusbat situation render FICHIER.json [--out DOSSIER]"
)
ARGUMENT_NAMES = {
    "subcommand": "compute ou render",
    "{compute,render}": "compute ou render",
    "file": "fichier de situation (FICHIER.json)",
}


def french_error(message: str) -> str:
    """argparse's English error, said in French (the names of what is missing or wrong are kept)."""
    if "the following arguments are required:" in message:
        names = message.split(":", 1)[1].split(", ")
        missing = ", ".join(ARGUMENT_NAMES.get(name.strip(), name.strip()) for name in names)
        return f"argument obligatoire manquant : {missing}."
    if "invalid choice" in message:
        return "sous-commande inconnue : choisissez compute ou render."
    if "unrecognized arguments:" in message:
        return f"arguments inconnus : {message.split(':', 1)[1].strip()}."
    if "expected one argument" in message:
        return f"une valeur est attendue après {message.split(':', 1)[0].replace('argument', '').strip()}."
    return "arguments incorrects."


class FrenchParser(CommandParser):
    """Usage errors in French, without a traceback: exit 2 from the command line, ``CommandError`` otherwise."""

    def error(self, message):
        text = f"Erreur : {french_error(message)}"
        if self.called_from_command_line:
            sys.stderr.write(f"{FRENCH_USAGE}\n{text}\n")
            sys.exit(EXIT_INVALID)
        raise CommandError(text)


class Command(BaseCommand):
    requires_system_checks = []  # pure computation on a file: no database, no need to check the project
    help = "Compute (or render) the monthly situations of a situation file (see situation-rules.md §4)."

    def add_arguments(self, parser):
        parser.__class__ = FrenchParser  # Django builds a CommandParser; its subparsers follow its class
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{compute,render}")
        compute = subcommands.add_parser("compute", help="print the computed situations as JSON")
        compute.add_argument("file", help="situation file (JSON)")
        render = subcommands.add_parser("render", help="write the Factur-X invoices of the situations")
        render.add_argument("file", help="situation file (JSON)")
        render.add_argument("-o", "--out", "--out-dir", dest="out_dir", default=".",
                            help="directory for the invoices (default: current)")

    def handle(self, *args, **options):
        if options["subcommand"] == "compute":
            self.compute(options["file"])
        else:
            self.render(options["file"], options["out_dir"])

    def compute(self, path: str) -> None:
        try:
            result = compute_situation_file(load_situation_file(path))
        except SituationValidationError as error:
            self.fail([problem.message for problem in error.errors])
        self.stdout.write(json.dumps(result, indent=1, ensure_ascii=False))

    def render(self, path: str, out_dir: str) -> None:
        returncode = render_situation_file(path, out_dir)
        if returncode:
            sys.exit(returncode)

    def fail(self, messages: list[str]) -> None:
        for message in messages:
            self.stderr.write(message)
        sys.exit(EXIT_INVALID)
