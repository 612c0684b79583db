"""Connection check, buyer lookup and works adapter against the in-memory fake (the sandbox tests go further)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from chorusbat.chorus import errors, works
from chorusbat.chorus.buyers import BuyerRule, lookup_buyer, rule_from_parameters
from chorusbat.chorus.connection import ConnectionOutcome, check_connection
from chorusbat.chorus.enums import DepositMode, Framework
from chorusbat.chorus.models import BillingFramework, Recipient, StructureParameters, Supplier, Totals
from chorusbat.chorus.tests.fakes import FakeChorus, make_client, ok

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SEARCH = "/cpro/structures/v1/rechercher"
OWN = "/cpro/transverses/v1/recuperer/structures/actives/fournisseur"
INVOICES = "/cpro/factures/v1/rechercher/fournisseur"
CONSULT = "/cpro/structures/v1/consulter"
HEALTH = "/cpro/transverses/v1/health-check"
SERVICES = "/cpro/structures/v1/rechercher/services"
SERVICE = "/cpro/structures/v1/consulter/service"


def healthy_chorus(expiry="2026-09-30 00:00") -> FakeChorus:
    return (
        FakeChorus()
        .on(HEALTH, ok({"statusCode": "200"}))
        .on(SEARCH, ok({"listeStructures": [{"idStructureCPP": 1001, "identifiantStructure": "73282932000074"}]}))
        .on(OWN, ok({"listeStructures": [{"idStructureCPP": 1001, "identifiant": "73282932000074"}]}))
        .on(INVOICES, ok({"codeRetour": 20000, "libelle": "TRA_MSG_00.015"}))
        .on(CONSULT, ok({"informationGenerales": {"dateExpirationMotPasseCompteTech": expiry}}))
    )


def test_verified_connection_reports_structure_and_expiry():
    fake = healthy_chorus()
    with make_client(fake) as client:
        check = check_connection(client, "73282932000074", now=lambda: NOW)
    assert check.ok and check.structure_id == 1001 and check.checked_at == NOW
    assert check.password_expires_at.date().isoformat() == "2026-09-30"
    assert fake.json_of(fake.api_requests(INVOICES)[0])["rechercheFactureParFournisseur"] == {"nbResultatsParPage": 1}


def test_unreadable_expiry_does_not_fail_the_check():
    fake = healthy_chorus().replace(CONSULT, httpx.Response(500, json={"codeRetour": 500, "libelle": "x"}))
    with make_client(fake) as client:
        check = check_connection(client, "73282932000074")
    assert check.ok and check.password_expires_at is None


def test_structure_not_among_the_accounts_structures_is_not_attached():
    fake = healthy_chorus().replace(OWN, ok({"listeStructures": [{"idStructureCPP": 42}]}))
    with make_client(fake) as client:
        check = check_connection(client, "73282932000074")
    assert check.outcome is ConnectionOutcome.NOT_ATTACHED and check.structure_id == 1001


def test_business_refusal_during_the_check_is_misconfigured():
    refusal = httpx.Response(400, json={"codeRetour": 20103, "libelle": "Valeur invalide"})
    fake = healthy_chorus().replace(SEARCH, refusal)
    with make_client(fake) as client:
        check = check_connection(client, "73282932000074")
    assert check.outcome is ConnectionOutcome.MISCONFIGURED
    assert "20103" in check.detail


@pytest.mark.parametrize(
    ("flags", "rule"),
    [
        ({}, BuyerRule.NONE),
        ({"codeServiceDoitEtreRenseigne": True}, BuyerRule.SERVICE),
        ({"numeroEJDoitEtreRenseigne": True}, BuyerRule.EJ),
        ({"codeServiceDoitEtreRenseigne": True, "numeroEJDoitEtreRenseigne": True}, BuyerRule.SERVICE_AND_EJ),
        ({"gestionNumeroEJOuCodeService": True}, BuyerRule.SERVICE_OR_EJ),
        ({"gestionNumeroEJOuCodeService": True, "codeServiceDoitEtreRenseigne": True}, BuyerRule.SERVICE_OR_EJ),
    ],
)
def test_rule_mapping(flags, rule):
    assert rule_from_parameters(StructureParameters.model_validate(flags)) is rule


def test_buyer_lookup_reads_all_pages_and_each_services_ej_flag():
    def services(request):
        page = FakeChorus.json_of(None, request)["parametresRechercherServicesStructure"]["pageResultatDemandee"]
        listing = {
            1: [{"idService": 1, "codeService": "A", "libelleService": "Achats", "estActif": True},
                {"idService": 2, "codeService": "FACTURES_PUBLIQUES", "estActif": True}],
            2: [{"idService": 3, "codeService": "OLD", "estActif": False},
                {"idService": 4, "codeService": "B", "estActif": True}],
        }[page]
        return ok({"listeServices": listing, "parametresRetour": {"pageCourante": page, "pages": 2}})

    def service(request):
        ej = FakeChorus.json_of(None, request)["idService"] == 4
        return ok({"informationsGenerales": {"codeService": "x"}, "parametres": {"numeroEngagement": ej}})

    fake = (
        FakeChorus()
        .on(SEARCH, ok({"listeStructures": [{"idStructureCPP": 9, "identifiantStructure": "21440109300015",
                                             "designationStructure": "VILLE", "statut": "ACTIVE"}]}))
        .on(CONSULT, ok({"parametres": {"codeServiceDoitEtreRenseigne": True, "getaMoa": True}}))
        .on(SERVICES, services)
        .on(SERVICE, service)
    )
    with make_client(fake) as client:
        info = lookup_buyer(client, "21440109300015", service_codes=["B", "OLD"], now=lambda: NOW)
    assert info.rule is BuyerRule.SERVICE and info.is_moa and info.name == "VILLE"
    # Only the chosen service is consulted (review B3); the others' own flags stay unknown.
    assert [(s.code, s.ej_required) for s in info.services] == [("A", None), ("B", True)]
    assert [s.code for s in info.inactive_services] == ["OLD"]
    assert len(fake.api_requests(SERVICE)) == 1  # not A, nor the inactive or reserved ones
    sent = fake.json_of(fake.api_requests(SERVICES)[0])
    assert sent["parametresRechercherServicesStructure"]["nbResultatsParPage"] >= 1000  # few large pages
    assert info.to_json_dict()["refreshed_at"] == "2026-03-01T09:00:00Z"


def test_works_search_no_result_is_an_empty_list():
    no_result = ok({"codeRetour": 20007, "libelle": "GFT_MSG_01.075"})
    fake = FakeChorus().on("/cpro/facturesTravaux/v1/rechercher", no_result)
    with make_client(fake) as client:
        assert list(works.iter_works_invoices(client, works.WorksSearchRequest(id_supplier=1001))) == []
    sent = fake.json_of(fake.api_requests("/cpro/facturesTravaux/v1/rechercher")[0])
    assert sent["roleUtilisateur"] == "FOURNISSEUR" and sent["rechercheFactureTravaux"]["pageResultatDemandee"] == 1


def test_works_submission_names_moe_and_moa_and_is_not_retried():
    fake = FakeChorus().on("/cpro/facturesTravaux/v1/soumettre", httpx.Response(502, content=b"bad gateway"))
    request = works.WorksSubmitRequest(
        deposit_mode=DepositMode.DEPOT_PDF_API,
        recipient=Recipient(siret="27440045600019"),
        supplier=Supplier(id_structure=1001),
        totals=Totals(net=Decimal("1"), vat=Decimal("0.2"), gross=Decimal("1.2"), payable=Decimal("1.2")),
        moe=works.Moe(siret="44306184100013"),
        moa=works.Moa(siret="27440045600019", service_code="MAITRISE_OUVRAGE"),
    )
    with make_client(fake) as client:
        with pytest.raises(errors.TransientError) as caught:
            works.submit_works_invoice(client, request)
        assert caught.value.maybe_delivered is True
        with pytest.raises(ValueError):
            ordinary = BillingFramework(code=Framework.A1_FACTURE_FOURNISSEUR)
            works.submit_works_invoice(client, request.model_copy(update={"framework": ordinary}))
    sent = fake.json_of(fake.api_requests("/cpro/facturesTravaux/v1/soumettre")[0])
    assert sent["cadreDeFacturation"]["codeCadreFacturation"] == "A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR"
    assert sent["moe"] == {"codeStructureMoe": "44306184100013"}
    assert sent["moa"]["codeServiceMoa"] == "MAITRISE_OUVRAGE"
    assert len(fake.api_requests("/cpro/facturesTravaux/v1/soumettre")) == 1
