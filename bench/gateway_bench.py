"""Gateway figures: pipeline throughput, token requests, and Chorus Pro calls per status-sync cycle.

Run: ``.venv/bin/python bench/gateway_bench.py [throughput|tokens|sync|all] [options]`` (``--help`` for options).

Everything runs for real and throw-away: a temporary ``CHORUSBAT_DATA_DIR`` with ``chorusbat.settings`` in
development mode (SQLite, migrated at start), or a private PostgreSQL cluster with ``--postgres``
(``scripts/pg_private.py``); the Chorus Pro sandbox as a separate process (``SandboxProcess``); the workers as
``chorusbat worker`` subprocesses. Nothing here asserts: the script prints figures (see bench/README.md).

1. throughput — situations per second from *validated* to *integrated* (Factur-X build + validation gate + deposit +
   flux follow-up), for 1, 2 and 4 workers, without and with 100 ms latency on every ``/cpro/*`` call.
2. tokens — ``/api/oauth/token`` requests for N full transmissions (default 200), counted by the sandbox.
3. sync — Chorus Pro calls of one ``sync_company`` cycle for 1,000 and 10,000 tracked invoices, split into
   searches and history reads: cold (first cycle), after a few hundred status changes, and with nothing new.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chorus_sandbox.pytest_plugin import SandboxHandle, SandboxProcess  # noqa: E402

TOKEN_PATH = "/api/oauth/token"
SEARCH_PATH = "/cpro/factures/v1/rechercher/fournisseur"
HISTORY_PATH = "/cpro/factures/v1/consulter/historique"


# --- environment: data directory, sandbox, database ------------------------------------------------------------


def start_environment(data_dir: Path) -> SandboxHandle:
    """Start the sandbox, point chorusbat's settings at it and at the data directory, set Django up, migrate.

    Must run before anything imports Django settings: the variables below are read once, at settings import, by this
    process and by every worker subprocess (which inherits them).
    """
    process = SandboxProcess(data_dir / "sandbox.sqlite3")
    process.start()
    sandbox = SandboxHandle(process)
    piste = sandbox.credentials["piste"]
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "chorusbat.settings",
        "CHORUSBAT_MODE": "development",
        "CHORUSBAT_DATA_DIR": str(data_dir),
        "CHORUSBAT_SANDBOX_URL": sandbox.base_url,
        "CHORUSBAT_PISTE_SANDBOX_CLIENT_ID": piste["client_id"],
        "CHORUSBAT_PISTE_SANDBOX_CLIENT_SECRET": piste["client_secret"],
        "CHORUSBAT_LOG_LEVEL": "WARNING",
    })
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return sandbox


def fresh_company(sandbox: SandboxHandle):
    """Empty database and sandbox, then the demo company with a verified subscription to the sandbox's supplier."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from chorusbat.accounts.chorus_access import verify_subscription
    from chorusbat.accounts.demo import DEMO_COMPANY
    from chorusbat.accounts.models import ChorusSubscription, Company, Membership

    call_command("flush", interactive=False, verbosity=0)
    sandbox.reset()
    company = Company.objects.create(**DEMO_COMPANY)
    user = get_user_model().objects.create_user(username="bench", email="bench@example.fr")
    Membership.objects.create(user=user, company=company, role=Membership.Role.ADMIN)
    account = sandbox.credentials["technical_accounts"][0]
    subscription = ChorusSubscription(company=company, siret=company.siret, referent_email="bench@example.fr",
                                      technical_login=account["login"], environment="sandbox")
    subscription.set_password(account["password"])
    subscription.save()
    check = verify_subscription(subscription)
    if check is None or not check.ok:
        raise SystemExit(f"the subscription could not be verified against the sandbox: {check}")
    return company, user


def describe_machine() -> str:
    from django.db import connection

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, load average {load}, database {connection.vendor}"


def cpro_calls(counts: dict[str, int]) -> int:
    return sum(n for path, n in counts.items() if path.startswith("/cpro/"))


def delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {path: n - before.get(path, 0) for path, n in after.items() if n != before.get(path, 0)}


# --- 1 and 2: the whole pipeline with worker processes ---------------------------------------------------------


def start_workers(count: int, log_dir: Path, ready_timeout: float = 180.0) -> list[subprocess.Popen]:
    """Start ``count`` ``chorusbat worker`` processes and return once each has logged « Worker ready » (Django
    imported, schematrons compiled): a worker's start-up is not throughput, and on 2 cores four workers starting
    together take several seconds of CPU, which a fixed pause would let leak into the measured span."""
    workers, logs = [], []
    for n in range(count):
        path = log_dir / f"worker-{n}.log"
        offset = path.stat().st_size if path.exists() else 0  # the log is appended to, run after run
        with open(path, "ab") as log:
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "chorusbat", "worker", "--interval", "0.1", "--worker-id", f"bench-{n}"],
                stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
            ))
        logs.append((path, offset))
    deadline = time.monotonic() + ready_timeout
    while not all(b"Worker ready" in path.read_bytes()[offset:] for path, offset in logs):
        if (time.monotonic() > deadline or any(w.poll() is not None for w in workers)
                or any(b"without its Factur-X validator" in path.read_bytes()[offset:] for path, offset in logs)):
            stop_workers(workers)
            raise SystemExit(f"workers did not start: see {log_dir}/worker-*.log")
        time.sleep(0.2)
    return workers


def start_validator(log_dir: Path, ready_timeout: float = 120.0) -> subprocess.Popen:
    """Start the machine's shared validator (``chorusbat validator``) and point the workers started after this at its
    socket (CHORUSBAT_VALIDATOR_SOCKET); :func:`stop_validator` undoes both."""
    from chorusbat.facturx.schematron import validator_answers

    path = log_dir / "validator.sock"
    with open(log_dir / "validator.log", "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "chorusbat", "validator", "--socket", str(path)],
                                   stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + ready_timeout
    while not validator_answers(path):  # it compiles the schematrons before it listens
        if time.monotonic() > deadline or process.poll() is not None:
            stop_workers([process])
            raise SystemExit(f"the validator did not start: see {log_dir / 'validator.log'}")
        time.sleep(0.2)
    os.environ["CHORUSBAT_VALIDATOR_SOCKET"] = str(path)
    return process


def stop_validator(process: subprocess.Popen) -> None:
    os.environ.pop("CHORUSBAT_VALIDATOR_SOCKET", None)
    stop_workers([process])


def rss_mb(pid: int) -> float:
    """Resident memory (VmRSS) of a process, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) / 1024


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for w in workers:
        w.terminate()
    for w in workers:
        try:
            w.wait(timeout=15)
        except subprocess.TimeoutExpired:
            w.kill()
            w.wait(timeout=5)


def pipeline_run(sandbox: SandboxHandle, data_dir: Path, *, situations: int, workers: int, latency_ms: int,
                 clock_speed: float, warmup: float, timeout: float) -> dict:
    """Send ``situations`` validated situations with ``workers`` worker processes; figures from the event log."""
    from django.utils import timezone

    from chorusbat.gateway.models import Transmission, TransmissionEvent
    from chorusbat.gateway.services import send
    from chorusbat.gateway.tests.conftest import make_situations

    company, user = fresh_company(sandbox)
    per_market = 10
    created = make_situations(company, user, markets=-(-situations // per_market), per_market=per_market, prefix="B")
    batch = sorted(created, key=lambda s: s.number)[:situations]
    # Validation enqueued a background build of each Factur-X (chorusbat.invoicing.tasks): drop those tasks so that
    # the workers do not build the documents during their warm-up. The measured span then includes every build
    # and gate run, done by the gateway itself (ready_document), as in the figures measured before those tasks.
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(task_path__endswith="invoicing.tasks.prepare_document").delete()
    sandbox.configure(clock_speed=clock_speed)  # the sandbox processes fluxes and statuses by itself
    if latency_ms:
        sandbox.set_faults([{"route": "/cpro/*", "latency_ms": latency_ms}])

    pool = start_workers(workers, data_dir)
    try:
        time.sleep(warmup)  # the workers are ready (start_workers): let them reach their first poll
        requests_before = sandbox.requests()
        started = timezone.now()
        send(batch)
        deadline = time.monotonic() + timeout
        settled = {Transmission.State.INTEGRATED, Transmission.State.FAILED, Transmission.State.HELD}
        while time.monotonic() < deadline:
            states = Counter(Transmission.objects.values_list("state", flat=True))
            done = sum(states[s] for s in settled)
            if sys.stderr.isatty():
                print(f"\r    {done}/{len(batch)} settled {dict(states)}"[:110].ljust(110), end="", file=sys.stderr)
            if done == len(batch):
                break
            time.sleep(0.5)
        if sys.stderr.isatty():
            print(file=sys.stderr)
    finally:
        stop_workers(pool)
    requests = delta(sandbox.requests(), requests_before)
    sandbox.clear_faults()

    events = TransmissionEvent.objects.filter(transmission__company=company)
    first = {}
    for kind in (TransmissionEvent.Kind.DEPOSITED, TransmissionEvent.Kind.INTEGRATED):
        first[kind] = {}
        for tid, at in events.filter(kind=kind).order_by("at").values_list("transmission_id", "at"):
            first[kind].setdefault(tid, at)
    integrated = first[TransmissionEvent.Kind.INTEGRATED]
    deposited = first[TransmissionEvent.Kind.DEPOSITED]
    states = Counter(Transmission.objects.values_list("state", flat=True))
    elapsed = (max(integrated.values()) - started).total_seconds() if integrated else float("nan")
    deposit_span = (max(deposited.values()) - started).total_seconds() if deposited else float("nan")
    latencies = [(at - started).total_seconds() for at in integrated.values()]
    return {
        "situations": len(batch), "workers": workers, "latency_ms": latency_ms, "states": dict(states),
        "integrated": len(integrated), "seconds": elapsed, "per_second": len(integrated) / elapsed if integrated else 0,
        "deposit_seconds": deposit_span, "deposits_per_second": len(deposited) / deposit_span if deposited else 0,
        "median_latency": statistics.median(latencies) if latencies else float("nan"),
        "tokens": requests.get(TOKEN_PATH, 0), "cpro_calls": cpro_calls(requests),
    }


def print_pipeline_header() -> None:
    print(f"  {'workers':>7} {'latency':>8} {'integrated':>11} {'seconds':>8} {'sit./s':>7} {'deposits/s':>11} "
          f"{'median s':>9} {'tokens':>7} {'calls/sit.':>10}")


def print_pipeline_row(r: dict) -> None:
    calls = r["cpro_calls"] / r["situations"] if r["situations"] else 0
    print(f"  {r['workers']:>7} {r['latency_ms']:>6}ms {r['integrated']:>5}/{r['situations']:<5} {r['seconds']:>8.1f} "
          f"{r['per_second']:>7.2f} {r['deposits_per_second']:>11.2f} {r['median_latency']:>9.1f} {r['tokens']:>7} "
          f"{calls:>10.1f}", flush=True)
    others = {k: v for k, v in r["states"].items() if k != "integrated"}
    if others:
        print(f"          not integrated: {others}")


# --- 3: the status-sync cycle ----------------------------------------------------------------------------------


def submit_template_invoice(sandbox: SandboxHandle) -> int:
    """One A1 invoice through ``factures/v1/soumettre`` (SAISIE_API): the model every bench invoice is copied from."""
    import base64

    import httpx

    creds = sandbox.credentials
    account = creds["technical_accounts"][0]
    with httpx.Client(timeout=30) as http:
        token = http.post(sandbox.token_url, data={
            "grant_type": "client_credentials", "client_id": creds["piste"]["client_id"],
            "client_secret": creds["piste"]["client_secret"], "scope": "openid"}).json()["access_token"]
        login = base64.b64encode(f"{account['login']}:{account['password']}".encode()).decode()
        body = {
            "modeDepot": "SAISIE_API",
            "destinataire": {"codeDestinataire": "21440109300015", "codeServiceExecutant": "DIR_BATIMENTS"},
            "fournisseur": {"idFournisseur": 1001},
            "cadreDeFacturation": {"codeCadreFacturation": "A1_FACTURE_FOURNISSEUR"},
            "references": {"deviseFacture": "EUR", "typeFacture": "FACTURE", "typeTva": "TVA_SUR_DEBIT",
                           "modePaiement": "VIREMENT"},
            "lignePoste": [{"lignePosteNumero": 1, "lignePosteDenomination": "Peinture", "lignePosteQuantite": 1,
                            "lignePosteMontantUnitaireHT": 1000.0, "lignePosteTauxTvaManuel": 20}],
            "ligneTva": [{"ligneTvaTauxManuel": 20, "ligneTvaMontantBaseHtParTaux": 1000.0,
                          "ligneTvaMontantTvaParTaux": 200.0}],
            "montantTotal": {"montantHtTotal": 1000.0, "montantTVA": 200.0, "montantTtcTotal": 1200.0,
                             "montantAPayer": 1200.0},
        }
        answer = http.post(f"{sandbox.base_url}/cpro/factures/v1/soumettre", json=body,
                           headers={"Authorization": f"Bearer {token}", "cpro-account": login}).json()
    if answer.get("codeRetour") != 0:
        raise SystemExit(f"soumettre refused the template invoice: {answer}")
    return int(answer["identifiantFactureCPP"])


def fill_sandbox(sandbox: SandboxHandle, state_file: Path, template_id: int, count: int, days_ago: int) -> list[int]:
    """Turn the template invoice into ``count`` invoices in the sandbox's state, last changed ``days_ago`` days ago.

    Submitting 10,000 invoices one by one costs the sandbox O(n²) (its store is JSON documents filtered in Python, sized
    for a few hundred objects), so the bench writes the copies with the sandbox's own ``Store`` while the process
    is stopped, then restarts it on the same state. Every copy is a regular DEPOSEE A1 invoice of the supplier.
    """
    import copy
    import datetime as dt

    from chorus_sandbox.core import date_iso
    from chorus_sandbox.store import Store

    sandbox.stop()
    store = Store(state_file)
    try:
        template = store.get("invoice", template_id)
        when = date_iso(dt.datetime.now().astimezone() - dt.timedelta(days=days_ago))
        ids = []
        with store.transaction():
            for n in range(count):
                invoice = copy.deepcopy(template)
                invoice["id"] = template_id if n == 0 else store.next_id("invoice", 8420531)  # the template too
                invoice["numeroFacture"] = f"SYNC{n:07d}"
                invoice["dateDepot"] = invoice["dateHeureEtatCourant"] = when
                invoice["history"] = [{**template["history"][0], "id": store.next_id("history", 900001), "at": when}]
                store.put("invoice", invoice)
                ids.append(invoice["id"])
    finally:
        store.close()
    sandbox.start()
    return ids


def track_in_chorusbat(company, user, invoice_ids: list[int], days_ago: int) -> None:
    """One integrated transmission per sandbox invoice, written directly (the pipeline is measured elsewhere)."""
    import datetime as dt

    from django.utils import timezone

    from chorusbat.gateway.models import Transmission
    from chorusbat.gateway.tests.conftest import make_market
    from chorusbat.situations.models import Situation, Status

    periods_per_market = 120  # one situation per month and market (a market has one situation per period)
    since = timezone.now() - timedelta(days=days_ago)
    situations = []
    for n, _invoice_id in enumerate(invoice_ids):
        if n % periods_per_market == 0:
            market = make_market(company, user, n // periods_per_market)
        month = n % periods_per_market
        period = dt.date(2000 + month // 12, month % 12 + 1, 1)
        situations.append(Situation(company=company, market=market, number=f"SYNC{n:07d}", period=period,
                                    date=period, status=Status.VALIDATED, created_by=user))
    Situation.objects.bulk_create(situations, batch_size=1000)
    numbers = dict(Situation.objects.filter(company=company).values_list("number", "pk"))
    Transmission.objects.bulk_create([
        Transmission(company=company, situation_id=numbers[f"SYNC{n:07d}"], state=Transmission.State.INTEGRATED,
                     chorus_invoice_id=invoice_id, chorus_status="DEPOSEE", chorus_status_at=since, created_at=since)
        for n, invoice_id in enumerate(invoice_ids)
    ], batch_size=1000)


def change_statuses(sandbox: SandboxHandle, invoice_ids: list[int], count: int, offset: int) -> None:
    """What buyers do in a day: most invoices made available, some suspended with a comment, some paid."""
    step = max(1, len(invoice_ids) // count)
    chosen = invoice_ids[offset::step][:count]
    for n, invoice_id in enumerate(chosen):
        status, comment = (("SUSPENDUE", "Pièce justificative manquante") if n % 10 == 0 else
                           ("MISE_EN_PAIEMENT", None) if n % 10 == 1 else ("MISE_A_DISPOSITION", None))
        sandbox.set_invoice_status(invoice_id, status, comment)


def sync_cycle(sandbox: SandboxHandle, company_id: int) -> dict:
    from chorusbat.gateway.sync import sync_company

    before = sandbox.requests()
    wall, cpu = time.perf_counter(), time.process_time()
    report = sync_company(company_id)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    calls = delta(sandbox.requests(), before)
    return {"calls": report.calls, "searches": calls.get(SEARCH_PATH, 0), "history": calls.get(HISTORY_PATH, 0),
            "other": cpro_calls(calls) - calls.get(SEARCH_PATH, 0) - calls.get(HISTORY_PATH, 0),
            "tokens": calls.get(TOKEN_PATH, 0), "changed": report.changed, "seconds": wall, "cpu": cpu,
            "skipped": report.skipped_reason}


def sync_bench(sandbox: SandboxHandle, data_dir: Path, *, tracked: int, changes: int, days_ago: int) -> list:
    company, user = fresh_company(sandbox)
    sandbox.configure(clock_speed=0)  # statuses move only when the bench says so
    template_id = submit_template_invoice(sandbox)
    ids = fill_sandbox(sandbox, data_dir / "sandbox.sqlite3", template_id, tracked, days_ago)
    track_in_chorusbat(company, user, ids, days_ago)
    rows = [("cold: first cycle, nothing changed", sync_cycle(sandbox, company.pk))]
    change_statuses(sandbox, ids, changes, offset=0)
    rows.append((f"{changes} statuses changed", sync_cycle(sandbox, company.pk)))
    rows.append(("next cycle, nothing new", sync_cycle(sandbox, company.pk)))
    change_statuses(sandbox, ids, changes, offset=1)
    rows.append((f"{changes} more changed", sync_cycle(sandbox, company.pk)))
    return rows


def print_sync(tracked: int, rows: list) -> None:
    print(f"  {tracked} tracked invoices:")
    print(f"    {'cycle':<38}{'calls':>6}{'searches':>9}{'history':>8}{'other':>6}{'changed':>8}{'seconds':>8}"
          f"{'CPU s':>7}")
    for label, r in rows:
        print(f"    {label:<38}{r['calls']:>6}{r['searches']:>9}{r['history']:>8}{r['other']:>6}{r['changed']:>8}"
              f"{r['seconds']:>8.1f}{r['cpu']:>7.1f}" + (f"  skipped: {r['skipped']}" if r["skipped"] else ""),
              flush=True)


# --- command line --------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", nargs="?", default="all", choices=["all", "throughput", "tokens", "sync"])
    parser.add_argument("--postgres", action="store_true",
                        help="run on a private PostgreSQL cluster (scripts/pg_private.py) instead of SQLite")
    parser.add_argument("--situations", type=int, default=40, help="situations per throughput run (default 40)")
    parser.add_argument("--workers", default="1,2,4", help="worker counts of the throughput runs (default 1,2,4)")
    parser.add_argument("--latencies", default="0,100", help="latencies in ms on /cpro/* (default 0,100)")
    parser.add_argument("--clock-speed", type=float, default=60.0,
                        help="sandbox clock speed during pipeline runs: one tick every 6/N s (default 60)")
    parser.add_argument("--warmup", type=float, default=1.0,
                        help="seconds given to workers after they are ready, before the batch is sent (default 1)")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up a run after this many seconds")
    parser.add_argument("--token-transmissions", type=int, default=200,
                        help="full transmissions of the token count run (default 200)")
    parser.add_argument("--token-workers", type=int, default=2, help="workers of the token count run (default 2)")
    parser.add_argument("--sync-sizes", default="1000,10000", help="tracked invoices per sync run (default 1000,10000)")
    parser.add_argument("--sync-changes", type=int, default=300, help="status changes between cycles (default 300)")
    parser.add_argument("--sync-days-ago", type=int, default=30,
                        help="age of the tracked invoices' last status change (default 30 days)")
    parser.add_argument("--validator", action="store_true",
                        help="throughput with the machine's shared validator (chorusbat validator) for all workers")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory (logs, databases)")
    return parser.parse_args(argv)


def rerun_on_postgres(argv: list[str]) -> int:
    """Run this same command again inside a private PostgreSQL cluster (DATABASE_URL set by pg_private.py)."""
    args = [a for a in argv if a != "--postgres"]
    command = [sys.executable, str(ROOT / "scripts" / "pg_private.py"), "--", sys.executable, __file__, *args]
    return subprocess.run(command, env={**os.environ, "CHORUSBAT_BENCH_POSTGRES": "1"}).returncode


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.postgres and not os.environ.get("DATABASE_URL"):
        return rerun_on_postgres(argv)

    data_dir = Path(tempfile.mkdtemp(prefix="chorusbat-bench-"))
    sandbox = start_environment(data_dir)
    try:
        print(f"Gateway bench — {describe_machine()}; data in {data_dir}", flush=True)
        if args.part in ("all", "throughput"):
            print(f"\nPipeline throughput, validated → integrated, {args.situations} situations per run "
                  f"(sandbox clock speed {args.clock_speed:g}):", flush=True)
            validator = start_validator(data_dir) if args.validator else None
            if validator:
                print("  (schematrons run by one shared validator, chorusbat validator, for all workers)")
            print_pipeline_header()
            try:
                for latency in (int(x) for x in args.latencies.split(",")):
                    for workers in (int(x) for x in args.workers.split(",")):
                        print_pipeline_row(pipeline_run(
                            sandbox, data_dir, situations=args.situations, workers=workers, latency_ms=latency,
                            clock_speed=args.clock_speed, warmup=args.warmup, timeout=args.timeout))
            finally:
                if validator:
                    stop_validator(validator)
            print(f"  (load average now {', '.join(f'{x:.2f}' for x in os.getloadavg())})")
        if args.part in ("all", "tokens"):
            print(f"\nToken requests for {args.token_transmissions} full transmissions "
                  f"({args.token_workers} workers, no latency):", flush=True)
            r = pipeline_run(sandbox, data_dir, situations=args.token_transmissions, workers=args.token_workers,
                             latency_ms=0, clock_speed=args.clock_speed, warmup=args.warmup, timeout=args.timeout)
            print_pipeline_header()
            print_pipeline_row(r)
            print(f"  {TOKEN_PATH}: {r['tokens']} request(s) for {r['integrated']} integrated transmissions "
                  f"({r['cpro_calls']} Chorus Pro calls)")
        if args.part in ("all", "sync"):
            print(f"\nStatus sync: Chorus Pro calls per sync_company cycle ({args.sync_changes} changes between "
                  f"cycles; invoices last changed {args.sync_days_ago} days ago):", flush=True)
            for size in (int(x) for x in args.sync_sizes.split(",")):
                print_sync(size, sync_bench(sandbox, data_dir, tracked=size, changes=args.sync_changes,
                                            days_ago=args.sync_days_ago))
        print(f"\nload average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        sandbox.close()
        sandbox.stop()
        if not args.keep:
            import shutil

            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
