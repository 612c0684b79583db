"""The client against the sandbox running as a real process on loopback (issue 4 "Tests").

The ``sandbox`` fixture comes from ``chorus_sandbox.pytest_plugin``, registered by the root conftest.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chorusbat.chorus import errors, works  # noqa: E402
from chorusbat.chorus.buyers import BuyerInfo, BuyerRule, check_service, lookup_buyer  # noqa: E402
from chorusbat.chorus.config import Timeouts  # noqa: E402
from chorusbat.chorus.connection import ConnectionOutcome, check_connection  # noqa: E402
from chorusbat.chorus.enums import DepositMode  # noqa: E402
from chorusbat.chorus.models import (  # noqa: E402
    InvoiceLine,
    InvoiceReferences,
    InvoiceSearchRequest,
    Recipient,
    SubmitInvoiceRequest,
    Supplier,
    Totals,
    VatLine,
)
from chorusbat.chorus.tests.live import Live, closed_port, garbage_server  # noqa: E402
from chorusbat.chorus.tokens import TokenCache  # noqa: E402

SUPPLIER_SIRET = "73282932000074"  # seed: the demo supplier, attached to the first technical account
OTHER_SUPPLIER_SIRET = "51234567900017"  # seed: exists, attached to another (expired) account
EXPIRED_ACCOUNT = 1  # seed: second technical account, password already expired
STRUCTURES_ONLY_APP = ("9a7d3e21-04c5-4b8f-b1e6-5c2d7f0a3b94", "sandbox-secret-structures-only-0002")
SEARCH = "/cpro/structures/v1/rechercher"
SUBMIT = "/cpro/factures/v1/soumettre"


@pytest.fixture
def live(sandbox):
    driver = Live(sandbox.base_url)
    driver.reset()
    settings = driver.control("config")  # the current run-time settings, restored afterwards
    yield driver
    driver.restore(settings)
    driver.close()


def invoice_request(market: str, service_code: str | None = None) -> SubmitInvoiceRequest:
    """A consistent data-only invoice from the demo supplier to the commune without routing rules."""
    return SubmitInvoiceRequest(
        deposit_mode=DepositMode.SAISIE_API,
        recipient=Recipient(siret="21440107700018", service_code=service_code),
        supplier=Supplier(id_structure=1001, bank_account_id=7001),
        references=InvoiceReferences(market_number=market, payment_mode="VIREMENT"),
        lines=[InvoiceLine(number=1, label="Peinture", quantity=Decimal("10"), unit_price=Decimal("16.6667"),
                           vat_rate=Decimal("20"))],
        vat_lines=[VatLine(base=Decimal("166.67"), vat=Decimal("33.33"), vat_rate=Decimal("20"))],
        totals=Totals(net=Decimal("166.67"), vat=Decimal("33.33"), gross=Decimal("200.00"), payable=Decimal("200.00")),
    )


# --- The connection check: each outcome --------------------------------------------------------------------


def test_connection_verified_reads_the_password_expiry(live):
    with live.client() as client:
        check = check_connection(client, SUPPLIER_SIRET)
    assert check.outcome is ConnectionOutcome.VERIFIED, check
    assert check.structure_id == 1001
    assert check.password_expires_at is not None
    assert check.password_expires_at > datetime.now(UTC) + timedelta(days=200)


def test_wrong_password_is_refused(live):
    with live.client(password="not-the-password") as client:
        check = check_connection(client, SUPPLIER_SIRET)
        with pytest.raises(errors.TechnicalAccountRefused) as caught:
            client.own_supplier_structures()
    assert check.outcome is ConnectionOutcome.REFUSED
    assert type(caught.value) is errors.TechnicalAccountRefused
    assert "Identifiants refusés" in check.message and "réinitialiser" in check.action


def test_unknown_login_is_refused(live):
    with live.client(login="TECH_1_00000000000000@cpro.fr") as client:
        assert check_connection(client, SUPPLIER_SIRET).outcome is ConnectionOutcome.REFUSED


def test_seeded_expired_password_is_reported_as_expired(live):
    with live.client(account=EXPIRED_ACCOUNT) as client:
        check = check_connection(client, OTHER_SUPPLIER_SIRET)
        with pytest.raises(errors.PasswordExpired):
            client.own_supplier_structures()
    assert check.outcome is ConnectionOutcome.EXPIRED
    assert "expiré" in check.message


def test_password_expiring_while_in_use_is_reported_as_expired(live):
    with live.client() as client:
        assert check_connection(client, SUPPLIER_SIRET).ok
        live.control("accounts/expire-password", {"login": client.config.account.login})
        check = check_connection(client, SUPPLIER_SIRET)
    assert check.outcome is ConnectionOutcome.EXPIRED


def test_siret_of_another_structure_is_not_attached(live):
    with live.client() as client:
        check = check_connection(client, OTHER_SUPPLIER_SIRET)
    assert check.outcome is ConnectionOutcome.NOT_ATTACHED
    assert check.structure_id == 1002
    assert "non rattaché" in check.message


def test_unknown_siret_is_not_attached_with_its_own_message(live):
    with live.client() as client:
        check = check_connection(client, "40483304800022")
    assert check.outcome is ConnectionOutcome.NOT_ATTACHED
    assert "SIRET inconnu" in check.message


def test_refused_piste_secret_is_misconfigured(live):
    with live.client(client_secret="wrong-secret") as client:
        check = check_connection(client, SUPPLIER_SIRET)
        with pytest.raises(errors.AuthenticationError):
            client.health_check()
    assert check.outcome is ConnectionOutcome.MISCONFIGURED


def test_application_not_subscribed_to_factures_is_misconfigured(live):
    client_id, secret = STRUCTURES_ONLY_APP
    with live.client(client_id=client_id, client_secret=secret) as client:
        check = check_connection(client, SUPPLIER_SIRET)
        with pytest.raises(errors.NotSubscribed):
            client.submit_invoice(invoice_request("M-403"))
    assert check.outcome is ConnectionOutcome.MISCONFIGURED
    assert "NotSubscribed" in check.detail


def test_connection_refused_is_unreachable(live):
    with live.client(base_url=f"http://127.0.0.1:{closed_port()}") as client:
        check = check_connection(client, SUPPLIER_SIRET)
    assert check.outcome is ConnectionOutcome.UNREACHABLE
    assert "injoignable" in check.message


def test_html_instead_of_json_is_unreachable_with_its_own_message(live):
    with garbage_server() as url, live.client(base_url=url) as client:
        check = check_connection(client, SUPPLIER_SIRET)
        with pytest.raises(errors.InvalidResponse):
            client.find_structure_by_siret(SUPPLIER_SIRET)
    assert check.outcome is ConnectionOutcome.UNREACHABLE
    assert "illisible" in check.message


# --- PISTE token: reuse and renewal ------------------------------------------------------------------------


def test_token_is_requested_once_and_reused(live):
    with live.client() as client:
        for _ in range(3):
            client.health_check()
        check_connection(client, SUPPLIER_SIRET)
    with live.client() as another_client_of_the_same_application:
        another_client_of_the_same_application.own_supplier_structures()
    assert live.token_requests == 1
    assert live.counter[SEARCH] == 1


def test_eight_threads_share_one_token(live):
    failures = []
    barrier = threading.Barrier(8)

    def work():
        try:
            with live.client() as client:
                barrier.wait(timeout=10)
                client.health_check()
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert live.token_requests == 1
    assert live.counter["/cpro/transverses/v1/health-check"] == 8


def test_token_is_renewed_before_it_expires(live):
    live.settings(token_lifetime=4)
    now = [1000.0]
    live.tokens = TokenCache(clock=lambda: now[0])
    with live.client() as client:
        client.health_check()
        now[0] += 1.0
        client.health_check()
        assert live.token_requests == 1
        now[0] += 1.5  # past half of the 4 s lifetime: renewed before Chorus Pro refuses it
        client.health_check()
    assert live.token_requests == 2


def test_token_expired_on_the_server_is_renewed_transparently(live):
    with live.client() as client:
        client.own_supplier_structures()
        live.control("tokens/expire")
        assert client.own_supplier_structures()[0].id_structure_cpp == 1001
    assert live.token_requests == 2


# --- Faults ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["p500", "p503"])
def test_server_errors_on_reads_are_retried_then_reported(live, kind):
    live.faults({"route": SEARCH, kind: 1.0})
    with live.client() as client:
        with pytest.raises(errors.TransientError) as caught:
            client.find_structure_by_siret(SUPPLIER_SIRET)
        check = check_connection(client, SUPPLIER_SIRET)
    assert caught.value.http_status == int(kind[1:])
    assert live.counter[SEARCH] == 2 * client.retry.max_attempts
    assert len(live.sleep.waits) == 2 * (client.retry.max_attempts - 1)
    assert check.outcome is ConnectionOutcome.UNREACHABLE


def test_intermittent_server_errors_are_absorbed(live):
    live.faults({"route": SEARCH, "p500": 0.3}, seed=1)
    with live.client() as client:
        found = [client.find_structure_by_siret(SUPPLIER_SIRET) for _ in range(5)]
    assert all(s is not None and s.id_structure_cpp == 1001 for s in found)
    assert live.counter[SEARCH] > 5  # some calls needed a retry


def test_429_honours_retry_after(live):
    live.faults({"route": SEARCH, "p429": 1.0, "retry_after": 3})
    with live.client() as client, pytest.raises(errors.TransientError) as caught:
        client.find_structure_by_siret(SUPPLIER_SIRET)
    assert caught.value.http_status == 429
    assert live.sleep.waits == [3.0] * (client.retry.max_attempts - 1)


def test_timeout_is_unreachable(live):
    live.faults({"route": SEARCH, "p_timeout": 1.0, "timeout_s": 3})
    config = live.config(timeouts=Timeouts(connect=2, read=0.3))
    with live.client(config) as client:
        with pytest.raises(errors.ChorusUnreachable) as caught:
            client.find_structure_by_siret(SUPPLIER_SIRET)
        check = check_connection(client, SUPPLIER_SIRET)
    assert caught.value.timeout is True
    assert check.outcome is ConnectionOutcome.UNREACHABLE


def test_connection_reset_is_unreachable(live):
    live.faults({"route": SEARCH, "p_reset": 1.0})
    with live.client() as client, pytest.raises(errors.ChorusUnreachable):
        client.find_structure_by_siret(SUPPLIER_SIRET)
    assert live.counter[SEARCH] == client.retry.max_attempts


def test_latency_within_the_timeout_is_tolerated(live):
    live.faults({"route": "/cpro/*", "latency_ms": 150})
    with live.client() as client:
        assert check_connection(client, SUPPLIER_SIRET).ok


def test_intermittent_invalid_client_on_the_token_endpoint_is_overcome(live):
    live.faults({"route": "/api/oauth/token", "p_invalid_client": 0.5}, seed=3)
    outcomes = []
    for _ in range(4):
        live.tokens = TokenCache()
        with live.client() as client:
            try:
                client.health_check()
                outcomes.append("ok")
            except errors.AuthenticationError:
                outcomes.append("refused")
    assert outcomes.count("ok") >= 3


# --- Calls that create something are never retried blindly -------------------------------------------------


def test_submission_is_not_retried_and_may_have_been_delivered(live):
    live.faults({"route": SUBMIT, "p_accept_then_500": 1.0})
    with live.client() as client:
        with pytest.raises(errors.TransientError) as caught:
            client.submit_invoice(invoice_request("M-ACCEPT-500"))
        live.faults()
        found = list(client.iter_supplier_invoices(InvoiceSearchRequest(market_number="M-ACCEPT-500")))
    assert caught.value.maybe_delivered is True
    assert live.counter[SUBMIT] == 1 and live.sleep.waits == []
    assert len(found) == 1  # the lookup the gateway must do before any new attempt finds it


def test_submission_refused_at_connect_was_not_delivered(live):
    with live.client(base_url=f"http://127.0.0.1:{closed_port()}") as client:
        with pytest.raises(errors.ChorusUnreachable) as caught:
            client.submit_invoice(invoice_request("M-REFUSED"))
    assert caught.value.maybe_delivered is False


def test_successful_submission(live):
    with live.client() as client:
        result = client.submit_invoice(invoice_request("M-OK"))
        history = client.invoice_history(result.invoice_id)
    assert result.status == "DEPOSEE" and result.invoice_number
    assert history.current_status == "DEPOSEE"


@pytest.mark.parametrize("status", [400, 200])
def test_business_rejection_in_both_error_styles(live, status):
    live.settings(business_error_status=status)
    request = invoice_request("M-SERVICE").model_copy(
        update={"recipient": Recipient(siret="21440109300015")}  # VILLE DE NANTES requires a service code
    )
    with live.client() as client, pytest.raises(errors.BusinessError) as caught:
        client.submit_invoice(request)
    assert caught.value.http_status == status
    assert caught.value.user_message.startswith("Le code service exécutant est obligatoire")


# --- Buyer lookup -------------------------------------------------------------------------------------------


def test_buyer_with_services_and_a_service_requiring_an_ej(live):
    with live.client() as client:
        info = lookup_buyer(client, "21440109300015", service_codes=["DIR_VOIRIE"])
        assert check_service(client, info, "DIR_BATIMENTS").service("DIR_BATIMENTS").ej_required is False
    assert info.found and info.active and info.structure_id == 2001
    assert info.rule is BuyerRule.SERVICE and info.service_required and not info.ej_required
    assert [s.code for s in info.services] == ["DIR_BATIMENTS", "DIR_VOIRIE"]  # FACTURES_PUBLIQUES hidden
    assert [s.code for s in info.services_requiring_ej] == ["DIR_VOIRIE"]
    assert info.service("DIR_BATIMENTS").ej_required is None  # not chosen, so not consulted
    assert [s.code for s in info.inactive_services] == ["ANCIEN_SERVICE_TRAVAUX"]
    assert info.is_moa
    assert BuyerInfo.from_json_dict(info.to_json_dict()) == info


@pytest.mark.parametrize(
    ("siret", "rule"),
    [
        ("21440107700018", BuyerRule.NONE),
        ("22440002800011", BuyerRule.EJ),
        ("23440003400018", BuyerRule.SERVICE_OR_EJ),
        ("24440040400012", BuyerRule.SERVICE_AND_EJ),
    ],
)
def test_buyer_rules(live, siret, rule):
    with live.client() as client:
        assert lookup_buyer(client, siret).rule is rule


def test_unknown_and_inactive_buyers(live):
    with live.client() as client:
        unknown = lookup_buyer(client, "40483304800022")
        inactive = lookup_buyer(client, "20000001600010")
    assert not unknown.found and unknown.structure_id is None
    assert inactive.found and not inactive.active


# --- Secrets against the real transport --------------------------------------------------------------------


def test_no_secret_in_debug_logs_of_real_http_exchanges(live, caplog):
    caplog.set_level(logging.DEBUG)
    live.faults({"route": SEARCH, "p500": 1.0})
    config = live.config()
    with live.client(config) as client:
        token = client.access_token().value
        check_connection(client, SUPPLIER_SIRET)
        with pytest.raises(errors.TransientError) as caught:
            client.find_structure_by_siret(SUPPLIER_SIRET)
    assert "httpx" in caplog.text or "httpcore" in caplog.text  # the HTTP libraries did log at DEBUG
    for secret in [*config.secrets(), token]:
        assert secret not in caplog.text
        assert secret not in str(caught.value) and secret not in repr(caught.value)


# --- Works pieces (UNCONFIRMED shapes, modelled by the sandbox) ---------------------------------------------


def test_works_piece_is_submitted_found_and_consulted(live):
    base = invoice_request("M-TRAVAUX-1")
    request = works.WorksSubmitRequest(
        deposit_mode=DepositMode.SAISIE_API,
        supplier=base.supplier,
        references=base.references,
        lines=base.lines,
        vat_lines=base.vat_lines,
        totals=base.totals,
        moe=works.Moe(siret="44306184100013", service_code="MOE_BATIMENT"),
        moa=works.Moa(siret="27440045600019", service_code="MAITRISE_OUVRAGE"),
    )
    with live.client() as client:
        receipt = works.submit_works_invoice(client, request)
        found = list(works.iter_works_invoices(client, works.WorksSearchRequest(market_number="M-TRAVAUX-1")))
        piece = works.consult_works_invoice(client, receipt.works_invoice_id)
        nothing = list(works.iter_works_invoices(client, works.WorksSearchRequest(market_number="M-NONE")))
    assert receipt.status == "DEPOSEE" and receipt.deposited_at is not None
    assert [p.works_invoice_id for p in found] == [receipt.works_invoice_id]
    assert found[0].framework == "A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR"
    assert found[0].gross_amount == Decimal("200.00")
    assert piece.piece.invoice_id == receipt.works_invoice_id
    assert nothing == []
