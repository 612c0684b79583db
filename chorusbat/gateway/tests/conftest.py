"""Gateway test helpers: a company connected to the sandbox, demo situations, and a worker to drain the queue."""

import time

import pytest
from django.core.management import call_command

from chorusbat.accounts.chorus_access import verify_subscription
from chorusbat.gateway.models import Transmission


@pytest.fixture
def connected(subscription):
    """The company's subscription, verified against the sandbox (so that its idStructureCPP is known)."""
    assert verify_subscription(subscription).ok
    subscription.refresh_from_db()
    return subscription


@pytest.fixture
def demo_situations(company, admin_user):
    from chorusbat.situations.demo import create_demo_markets
    from chorusbat.situations.models import Situation

    create_demo_markets(company, admin_user)
    return list(Situation.objects.filter(company=company, status="validated").select_related("market")
                .order_by("market_id", "period"))


def drain(sandbox, *, until, timeout=180.0, advance=True, workers=1):
    """Run workers (in this process, batch mode, ``workers`` threads) and the sandbox clock until ``until()``."""
    import threading

    from django.db import connection

    def run_batch():
        # django-tasks-db's own worker loop, without its signal handlers (only the main thread may set those).
        from django_tasks_db.management.commands.db_worker import Worker

        try:
            Worker(queue_names=["default"], interval=0.05, batch=True, backend_name="default", startup_delay=False,
                   max_tasks=200, worker_id=f"test-{threading.get_ident()}", excluded_queue_names=[]).run()
        finally:
            if threading.current_thread() is not threading.main_thread():
                connection.close()

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if workers == 1:
            call_command("worker", batch=True, max_tasks=200, verbosity=0)
        else:
            threads = [threading.Thread(target=run_batch) for _ in range(workers)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        if until():
            return
        if advance:
            sandbox.advance(1)
        time.sleep(0.2)
    states = list(Transmission.objects.values_list("situation__number", "state", "reason"))
    raise AssertionError(f"not settled in {timeout} s: {states}")


def all_integrated():
    return not Transmission.objects.exclude(state=Transmission.State.INTEGRATED).exists()


#: Works markets: the OPH as MOA, and the validator each framework names (A4: the MOE; A10: the titulaire;
#: A13: the mandataire), all structures of the sandbox's seed.
WORKS_MARKETS = {
    "A4": ("44306184100013", "Atelier d'architecture Ouest"),
    "A10": ("55210055400047", "Bâtiment général Ouest (titulaire)"),
    "A13": ("51234567900017", "Menuiseries de l'estuaire (mandataire)"),
}


def make_market(company, user, n: int, framework: str = "A1"):
    """A small market with two lines: A1 for the Ville de Nantes (service code required), or a works market
    (A4, A10, A13) for the OPH Loire-Atlantique with the validator of ``WORKS_MARKETS``."""
    from decimal import Decimal as D

    from chorusbat.markets.models import ContractLine, Market

    buyer = dict(buyer_name="Ville de Nantes", buyer_siret="21440109300015", buyer_service_code="DIR_BATIMENTS")
    if framework != "A1":
        validator_siret, validator_name = WORKS_MARKETS[framework]
        buyer = dict(buyer_name="Office public de l'habitat Loire-Atlantique", buyer_siret="27440045600019",
                     buyer_service_code="MAITRISE_OUVRAGE", validator_siret=validator_siret,
                     validator_name=validator_name)
    market = Market.objects.create(
        company=company, title=f"Marché de test {n}", engagement="",
        number=f"T-{n:04d}" if framework == "A1" else f"T-{framework}-{n:04d}",
        framework=framework, start_date=__import__("datetime").date(2020, 1, 1), duration_months=120,
        retention_rate=D("0.05"), payment_delay_days=30, created_by=user, **buyer,
    )
    ContractLine.objects.create(market=market, position=1, ref="1", label="Peinture", kind="forfait", unit="ens",
                                unit_price=D("10000.00"), quantity=D("1"), vat_rate=D("20"))
    ContractLine.objects.create(market=market, position=2, ref="2", label="Sol", kind="unitaire", unit="m2",
                                unit_price=D("40.00"), quantity=D("500"), vat_rate=D("10"))
    return market


def make_situations(company, user, *, markets: int, per_market: int, prefix: str = "R", frameworks=("A1",)):
    """``markets × per_market`` validated situations, through the same services as the screens (market ``m`` uses
    framework ``frameworks[m % len(frameworks)]``)."""
    import datetime
    from decimal import Decimal as D

    from chorusbat.situations.models import Situation
    from chorusbat.situations.services import SituationData, save_draft, validate_situation

    created = []
    for m in range(markets):
        market = make_market(company, user, m, frameworks[m % len(frameworks)])
        lines = list(market.lines.order_by("position"))
        for k in range(per_market):
            period = datetime.date(2021 + k // 12, k % 12 + 1, 1)
            data = SituationData(
                number=f"{prefix}{m:03d}-{k:03d}", period=period, date=period + datetime.timedelta(days=27),
                index_value=None, advance_paid=D("0"),
                progress={lines[0].id: D(min(100, 5 * (k + 1))), lines[1].id: D(10 * (k + 1))},
            )
            created.append(validate_situation(save_draft(market, data, user), user))
    return list(Situation.objects.filter(pk__in=[s.pk for s in created]).select_related("market"))


def worker_env(chorus) -> dict:
    """Environment for a `chorusbat worker` subprocess working on this test's database and sandbox."""
    import os

    from django.db import connection

    creds = chorus.credentials["piste"]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chorusbat.settings_test",
        "CHORUSBAT_TEST_DB_NAME": str(connection.settings_dict["NAME"]),
        "CHORUSBAT_TEST_SANDBOX_URL": chorus.base_url,
        "CHORUSBAT_TEST_PISTE_ID": creds["client_id"],
        "CHORUSBAT_TEST_PISTE_SECRET": creds["client_secret"],
    }


@pytest.fixture
def prebuilt_documents(request, tmp_path_factory):
    """Build (or reuse) the validated Factur-X documents of many situations before a campaign.

    Rendering costs about half a second a document, and `make test` runs the campaigns twice (SQLite, then
    PostgreSQL) on identical situations. The first run builds each document through the full gate
    (``ready_document``); its bytes and report are kept in pytest's cache directory, keyed by a digest of the
    invoice data, and a later run stores them as they are. The gateway then reads them like any stored document
    (digests checked).
    """
    import hashlib
    import json

    from chorusbat.invoicing.models import InvoiceDocument
    from chorusbat.invoicing.services import invoice_data_for, ready_document

    cache = getattr(request.config, "cache", None)  # absent with -p no:cacheprovider: build every time
    cache_dir = cache.mkdir("chorusbat-facturx-documents") if cache else tmp_path_factory.mktemp("documents")

    def build(situations):
        for situation in situations:
            key = hashlib.sha256(repr(invoice_data_for(situation)).encode()).hexdigest()
            pdf, xml, report = (cache_dir / f"{key}.{ext}" for ext in ("pdf", "xml", "json"))
            if pdf.exists() and xml.exists() and report.exists():
                pdf_bytes, xml_bytes = pdf.read_bytes(), xml.read_bytes()
                InvoiceDocument.objects.create(
                    situation=situation, status="ready", pdf=pdf_bytes, xml=xml_bytes,
                    sha256=hashlib.sha256(pdf_bytes).hexdigest(), xml_sha256=hashlib.sha256(xml_bytes).hexdigest(),
                    report=json.loads(report.read_text()))
                continue
            document = ready_document(situation)
            pdf.write_bytes(bytes(document.pdf))
            xml.write_bytes(bytes(document.xml))
            report.write_text(json.dumps(document.report))

    return build


def step_now(transmission_id: int):
    """One step, as if its due time had come (tests do not wait for the retry delays)."""
    from chorusbat.gateway.services import run_step as step

    Transmission.objects.filter(pk=transmission_id).update(next_attempt_at=None)
    return step(transmission_id)
