"""`chorusbat send --company SIRET --all-validated`: send a company's validated situations to Chorus Pro, with a
progress bar. Situations already sent are not sent again. Deposits are made by this process; what is left to
wait for (flux processing, statuses) is followed by the worker and the scheduler."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from chorusbat.accounts.models import Company
from chorusbat.gateway.machine import situations_ready_to_send
from chorusbat.gateway.models import Transmission
from chorusbat.gateway.services import run_step as step
from chorusbat.gateway.services import send
from chorusbat.situations.models import Situation, Status

State = Transmission.State
SETTLED = {State.DEPOSITED, State.INTEGRATED, State.HELD, State.FAILED}


class Command(BaseCommand):
    help = "Send validated situations to Chorus Pro (exactly once each)."

    def add_arguments(self, parser):
        parser.add_argument("--company", required=True, help="SIRET, id or legal name of the company.")
        parser.add_argument("--all-validated", action="store_true", help="Every validated situation not sent yet.")
        parser.add_argument("--situation", action="append", default=[], help="Invoice number (repeatable).")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        company = self._company(options["company"])
        if options["all_validated"]:
            situations = situations_ready_to_send(company)
        elif options["situation"]:
            situations = list(Situation.objects.filter(company=company, number__in=options["situation"],
                                                       status=Status.VALIDATED).select_related("market"))
            missing = set(options["situation"]) - {s.number for s in situations}
            if missing:
                raise CommandError(f"Validated situation(s) not found: {', '.join(sorted(missing))}", returncode=2)
        else:
            raise CommandError("Say what to send: --all-validated or --situation NUMBER.", returncode=2)
        if not situations:
            self.stdout.write("Nothing to send.")
            return
        transmissions = send(situations)
        counts = {s: 0 for s in SETTLED} | {"later": 0}
        with tqdm(total=len(transmissions), unit="situation", disable=options["no_progress"],
                  file=self.stderr) as bar:
            for t in transmissions:
                state = self._drive(t.pk)
                counts[state if state in SETTLED else "later"] += 1
                bar.set_postfix_str(f"{t.situation.number}: {state}")
                bar.update(1)
        self.stdout.write(
            f"{len(transmissions)} situation(s): {counts[State.DEPOSITED] + counts[State.INTEGRATED]} sent, "
            f"{counts[State.HELD]} held, {counts[State.FAILED]} refused, {counts['later']} to retry later."
        )
        for t in Transmission.objects.filter(pk__in=[t.pk for t in transmissions]).filter(
                Q(state=State.HELD) | Q(state=State.FAILED)).select_related("situation"):
            self.stdout.write(f"  {t.situation.number}: {t.reason}")

    def _drive(self, pk: int) -> str:
        for _ in range(20):
            outcome = step(pk)
            state = Transmission.objects.values_list("state", flat=True).get(pk=pk)
            if state in SETTLED:
                return state
            if outcome is not None and outcome.again_after and outcome.again_after.total_seconds() > 30:
                return state
            time.sleep(0.5 if outcome is None else min(outcome.again_after.total_seconds(), 5.0)
                       if outcome.again_after else 0)
        return Transmission.objects.values_list("state", flat=True).get(pk=pk)

    def _company(self, key: str) -> Company:
        query = Q(siret=key.replace(" ", "")) | Q(legal_name__iexact=key)
        if key.isdigit() and len(key) < 14:
            query |= Q(pk=int(key))
        found = list(Company.objects.filter(query)[:2])
        if len(found) != 1:
            raise CommandError(f"Company not found (or ambiguous): {key}", returncode=2)
        return found[0]
