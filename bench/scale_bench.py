"""Scale campaign: 20 companies, 10,000 situations, 1–4 workers, one PostgreSQL (issue 17).

Run: ``.venv/bin/python scripts/pg_private.py -- .venv/bin/python bench/scale_bench.py [options]``
(it refuses SQLite: the campaign is about PostgreSQL). Prints figures; asserts nothing (see bench/README.md).

1. data set — ``--companies`` companies, each a supplier of its own in the sandbox (seeded through ``/_sim/seed``),
   with a verified subscription and ``--situations`` validated situations in all, through the same services as the
   screens (the background document builds their validation enqueued are dropped: the gateway builds each document
   it sends within the measured spans).
2. pages — for one company (``--situations / --companies`` situations), the query count and p50/p95 server time of
   the situation list, the market list and the dashboard (``--page-runs`` requests each, Django test client, in
   process, so the time is the server's).
3. throughput — situations per second from *sent* to *integrated* with 1, 2 and 4 ``chorusbat worker`` processes,
   without and with 100 ms latency on every Chorus Pro call, each run on ``--run-size`` fresh situations among
   the 10,000 (the others stay in the database, followed or waiting).
4. worker memory — one worker's resident memory (VmRSS) after ``--rss-transmissions`` transmissions
   (``memory``), and again with the machine's shared validator (``memory-shared``: ``chorusbat validator``, whose
   own resident memory is printed too), each on transmissions not sent before.
The status sync's calls per cycle for 10,000 followed invoices are measured by ``bench/gateway_bench.py sync``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from gateway_bench import (  # noqa: E402
    describe_machine,
    rss_mb,
    start_environment,
    start_validator,
    start_workers,
    stop_validator,
    stop_workers,
)


def luhn_siret(n: int) -> str:
    """A valid SIRET (SIREN and SIRET Luhn checks) built from ``n``."""
    from stdnum import luhn

    siren8 = f"9{n:07d}"
    siren = siren8 + luhn.calc_check_digit(siren8)
    nic4 = "0001"
    return siren + nic4 + luhn.calc_check_digit(siren + nic4)


def build_data_set(sandbox, companies: int, situations: int):
    from django.contrib.auth import get_user_model

    from chorusbat.accounts.chorus_access import verify_subscription
    from chorusbat.accounts.models import ChorusSubscription, Company, Membership
    from chorusbat.gateway.tests.conftest import make_situations

    per_company = situations // companies
    sirets = [luhn_siret(k + 1) for k in range(companies)]
    sandbox.add_seed({
        "technical_accounts": [{"login": f"TECH_1_{s}@cpro.fr", "password": "Bench-Password-1!",
                                "password_expires_in_days": 300, "sirets": [s]} for s in sirets],
        "structures": [{"id": 9000 + k, "siret": s, "name": f"ENTREPRISE BENCH {k + 1}", "type": "PRIVEE",
                        "tva": f"FR{(12 + 3 * (int(s[:9]) % 97)) % 97:02d}{s[:9]}",
                        "address": {"adresse": "1 rue du Banc", "codePostal": "44000", "ville": "Nantes",
                                    "pays": "FR"},
                        "bank_accounts": [{"id": 9500 + k, "name": "Compte", "iban": "FR7630006000011234567890189",
                                           "bic": "AGRIFRPP"}]}
                       for k, s in enumerate(sirets)],
    })
    result = []
    started = time.monotonic()
    for k, siret in enumerate(sirets):
        vat = f"FR{(12 + 3 * (int(siret[:9]) % 97)) % 97:02d}{siret[:9]}"
        company = Company.objects.create(legal_name=f"ENTREPRISE BENCH {k + 1}", siret=siret, vat_number=vat,
                                         address_line1="1 rue du Banc", postcode="44000", city="Nantes",
                                         iban="FR7630006000011234567890189", bic="AGRIFRPP")
        user = get_user_model().objects.create_user(username=f"bench{k}", email=f"bench{k}@example.fr")
        Membership.objects.create(user=user, company=company, role=Membership.Role.ADMIN)
        sub = ChorusSubscription(company=company, siret=siret, referent_email=f"bench{k}@example.fr",
                                 technical_login=f"TECH_1_{siret}@cpro.fr", environment="sandbox")
        sub.set_password("Bench-Password-1!")
        sub.save()
        check = verify_subscription(sub)
        if not check or not check.ok:
            raise SystemExit(f"subscription of company {k} not verified: {check}")
        markets = max(1, per_company // 20)
        make_situations(company, user, markets=markets, per_market=per_company // markets, prefix=f"C{k:02d}-")
        result.append((company, user))
        print(f"    company {k + 1}/{companies}: {per_company} situations "
              f"({time.monotonic() - started:.0f} s so far)", file=sys.stderr, flush=True)
    # Validating each situation enqueued the background build of its Factur-X (chorusbat.invoicing.tasks). In
    # production those run as situations are validated, long before anything is sent; here the 10,000 would sit in
    # front of the gateway's tasks. They are dropped, so the gateway builds each document it sends within the
    # measured span (as bench/gateway_bench.py does): the throughput below includes every build and gate run.
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(task_path__endswith="invoicing.tasks.prepare_document").delete()
    return result


def page_figures(user, runs: int) -> list[tuple[str, int, float, float]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from chorusbat.markets.models import Market

    client = Client()
    client.force_login(user)
    market = Market.objects.filter(company=user.membership.company).order_by("pk").first()
    rows = []
    for name, url in (("situation list", reverse("situations:list", args=[market.pk])),
                      ("market list", reverse("markets:list")),
                      ("dashboard", reverse("gateway:dashboard"))):
        client.get(url)  # warm caches (templates, translations)
        times, queries = [], set()
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries.add(len(ctx.captured_queries))
        times.sort()
        rows.append((name, max(queries), statistics.median(times), times[int(0.95 * (len(times) - 1))]))
    return rows


def throughput(sandbox, company, data_dir: Path, *, workers: int, latency_ms: int, size: int,
               timeout: float) -> dict:
    from chorusbat.gateway.machine import situations_ready_to_send
    from chorusbat.gateway.models import Transmission
    from chorusbat.gateway.services import send

    batch = situations_ready_to_send(company)[:size]
    if len(batch) < size:
        raise SystemExit(f"not enough situations left to send ({len(batch)} < {size}): raise --situations")
    if latency_ms:
        sandbox.set_faults([{"route": "/cpro/*", "latency_ms": latency_ms}])
    pool = start_workers(workers, data_dir)
    try:
        time.sleep(1)  # the workers are ready (start_workers): let them reach their first poll
        started = time.monotonic()
        send(batch)
        ids = [s.pk for s in batch]
        settled = {Transmission.State.INTEGRATED, Transmission.State.FAILED, Transmission.State.HELD}
        while time.monotonic() - started < timeout:
            states = Counter(Transmission.objects.filter(situation_id__in=ids).values_list("state", flat=True))
            if sum(states[s] for s in settled) == len(ids):
                break
            time.sleep(0.25)
        elapsed = time.monotonic() - started
    finally:
        stop_workers(pool)
        sandbox.clear_faults()
    return {"workers": workers, "latency_ms": latency_ms, "states": dict(states), "seconds": elapsed,
            "per_second": states[Transmission.State.INTEGRATED] / elapsed}


def worker_rss(sandbox, companies, data_dir: Path, transmissions: int, timeout: float,
               shared_validator: bool = False) -> tuple[int, float, float | None]:
    """One worker's resident memory after ``transmissions`` transmissions, taken from the last companies not used
    yet (each has ``--situations / --companies`` situations, fewer than 1,000 with the defaults); with
    ``shared_validator``, the worker sends its schematrons to a ``chorusbat validator``, whose memory is returned
    too. Returns (transmissions integrated, worker MB, validator MB or None)."""
    from chorusbat.gateway.machine import situations_ready_to_send
    from chorusbat.gateway.models import Transmission
    from chorusbat.gateway.services import send

    batch = []
    for company in reversed(companies):
        batch += situations_ready_to_send(company)[:transmissions - len(batch)]
        if len(batch) >= transmissions:
            break
    validator = start_validator(data_dir) if shared_validator else None
    try:
        [worker] = start_workers(1, data_dir)
        try:
            time.sleep(1)
            started = time.monotonic()
            send(batch)
            ids = [s.pk for s in batch]
            while time.monotonic() - started < timeout:
                if not Transmission.objects.filter(situation_id__in=ids).exclude(
                        state__in=["integrated", "failed", "held"]).exists():
                    break
                time.sleep(0.5)
            worker_mb = rss_mb(worker.pid)
            validator_mb = rss_mb(validator.pid) if validator else None
            done = Transmission.objects.filter(situation_id__in=ids, state="integrated").count()
            return done, worker_mb, validator_mb
        finally:
            stop_workers([worker])
    finally:
        if validator:
            stop_validator(validator)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=20)
    parser.add_argument("--situations", type=int, default=10_000)
    parser.add_argument("--page-runs", type=int, default=40)
    parser.add_argument("--run-size", type=int, default=100, help="situations per throughput run (default 100)")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--latencies", default="0,100")
    parser.add_argument("--rss-transmissions", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--parts", default="pages,throughput,memory,memory-shared",
                        help="which parts to run after the data set (default pages,throughput,memory,memory-shared)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("run it under scripts/pg_private.py (PostgreSQL): see the docstring")

    data_dir = Path(tempfile.mkdtemp(prefix="chorusbat-scale-"))
    sandbox = start_environment(data_dir)
    try:
        run_campaign(sandbox, data_dir, args, parts)
    finally:  # never leave the sandbox running (it keeps working on its clock) nor the data behind
        sandbox.close()
        sandbox.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


def run_campaign(sandbox, data_dir: Path, args, parts: set[str]) -> None:
    sandbox.configure(clock_speed=60.0)  # the sandbox processes fluxes and statuses by itself, quickly
    print(f"machine: {describe_machine()}")
    started = time.monotonic()
    companies = build_data_set(sandbox, args.companies, args.situations)
    print(f"data set: {args.companies} companies, {args.situations} validated situations, built in "
          f"{time.monotonic() - started:.0f} s")

    company, user = companies[0]
    if "pages" in parts:
        show_pages(user, args, "pages (one company, {n} situations, {runs} requests each):")
    if "throughput" in parts:
        run_throughput(sandbox, companies, data_dir, args)
        if "pages" in parts:
            show_pages(user, args, "pages again, with the transmissions above followed:")
    if "memory" in parts:
        done, rss, _none = worker_rss(sandbox, [c for c, _user in companies[1:]], data_dir, args.rss_transmissions,
                                      args.timeout)
        print(f"\nworker memory: {rss:.0f} MB resident after {done} transmissions (schematrons run in the worker)")
    if "memory-shared" in parts:
        done, rss, validator = worker_rss(sandbox, [c for c, _user in companies[1:]], data_dir,
                                          args.rss_transmissions, args.timeout, shared_validator=True)
        print(f"\nworker memory: {rss:.0f} MB resident after {done} transmissions, with the machine's shared "
              f"validator (chorusbat validator) at {validator:.0f} MB")


def show_pages(user, args, title: str) -> None:
    print("\n" + title.format(n=args.situations // args.companies, runs=args.page_runs))
    print(f"  {'page':<16} {'queries':>7} {'p50 ms':>7} {'p95 ms':>7}")
    for name, queries, p50, p95 in page_figures(user, args.page_runs):
        print(f"  {name:<16} {queries:>7} {p50:>7.1f} {p95:>7.1f}", flush=True)


def run_throughput(sandbox, companies, data_dir, args) -> None:
    print("\nthroughput (sent → integrated, fresh situations each run):")
    print(f"  {'workers':>7} {'latency':>8} {'sit./s':>7} {'seconds':>8}  states")
    runs = [(w, lat) for lat in map(int, args.latencies.split(",")) for w in map(int, args.workers.split(","))]
    for k, (workers, latency) in enumerate(runs):
        target = companies[1 + k % (len(companies) - 1)][0]
        r = throughput(sandbox, target, data_dir, workers=workers, latency_ms=latency, size=args.run_size,
                       timeout=args.timeout)
        print(f"  {workers:>7} {latency:>6}ms {r['per_second']:>7.2f} {r['seconds']:>8.1f}  {r['states']}",
              flush=True)


if __name__ == "__main__":
    sys.exit(main())
