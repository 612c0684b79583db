"""deposer/flux, asynchronous processing, search, consult, history and the life cycle to MISE_EN_PAIEMENT."""

import datetime as dt
import io
import tarfile

from .helpers import REZE_SIRET, SUPPLIER_SIRET, b64, cii_xml, facturx_pdf, plain_pdf


def deposit(api, data: bytes, syntax="IN_DP_E2_CII_FACTURX", name="facture.pdf"):
    return api.post("factures/v1/deposer/flux", {"fichierFlux": b64(data), "nomFichier": name,
                                                 "syntaxeFlux": syntax, "avecSignature": False})


def report(api, number):
    return api.ok("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": number})


def test_facturx_flux_reaches_mise_en_paiement(sandbox, api, buyer_api):
    receipt = deposit(api, facturx_pdf(numero="F-100")).json()
    assert receipt["codeRetour"] == 0 and receipt["numeroFluxDepot"].startswith("CPP")
    assert len(receipt["numeroFluxDepot"]) == 25
    number = receipt["numeroFluxDepot"]
    assert report(api, number)["etatCourantDepotFlux"] == "IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP"
    sandbox.advance()
    assert report(api, number)["etatCourantDepotFlux"] == "IN_EN_COURS_TRAITEMENT_CPP"
    sandbox.advance()
    cr = report(api, number)
    assert cr["etatCourantDepotFlux"] == "IN_INTEGRE" and cr["listeErreurDP"] == []

    found = api.ok("factures/v1/rechercher/fournisseur", {"numeroFluxDepot": number})
    invoice = found["listeFactures"][0]
    assert (invoice["numeroFacture"], invoice["statut"], invoice["montantTTC"]) == ("F-100", "DEPOSEE", 1200.0)
    invoice_id = invoice["identifiantFactureCPP"]

    sandbox.advance(2)  # EN_COURS_ACHEMINEMENT → MISE_A_DISPOSITION
    buyer_api.ok("factures/v1/traiter/recue", {"idFacture": invoice_id, "nouveauStatut": "MANDATEE"})
    sandbox.advance()
    full = api.ok("factures/v1/consulter/fournisseur", {"identifiantFactureCPP": invoice_id})["facture"]
    assert full["statutFacture"] == "MISE_EN_PAIEMENT"
    assert full["destinataire"]["codeServiceExecutant"] == "DIR_BATIMENTS"
    assert full["montantTotal"]["montantHtTotal"] == 1000.0
    history = api.ok("factures/v1/consulter/historique", {"idFacture": invoice_id})
    codes = [h["histoStatutCode"] for h in history["historiquesDesStatuts"]["histoStatut"]]
    assert codes == ["DEPOSEE", "EN_COURS_ACHEMINEMENT", "MISE_A_DISPOSITION", "MANDATEE", "MISE_EN_PAIEMENT"]


def test_clock_alone_goes_through_the_happy_path(sandbox, api):
    deposit(api, facturx_pdf(numero="F-101"))
    sandbox.advance(8)
    invoice = sandbox.invoices(SUPPLIER_SIRET)[0]
    assert invoice["statut"] == "MISE_EN_PAIEMENT"
    assert invoice["history"] == ["DEPOSEE", "EN_COURS_ACHEMINEMENT", "MISE_A_DISPOSITION",
                                  "PRISE_EN_COMPTE_DESTINATAIRE", "SERVICE_FAIT", "MANDATEE", "MISE_EN_PAIEMENT"]


def test_duplicate_number_is_rejected_in_liste_erreur_dp(sandbox, api):
    first = deposit(api, facturx_pdf(numero="F-200")).json()["numeroFluxDepot"]
    sandbox.advance(2)
    second = deposit(api, facturx_pdf(numero="F-200")).json()["numeroFluxDepot"]
    sandbox.advance(2)
    assert report(api, first)["etatCourantDepotFlux"] == "IN_INTEGRE"
    cr = report(api, second)
    assert cr["etatCourantDepotFlux"] == "IN_REJETE"
    assert cr["listeErreurDP"][0]["numeroDP"] == "F-200" and "F-200" in cr["listeErreurDP"][0]["libelleErreurDP"]
    assert len(sandbox.invoices(SUPPLIER_SIRET)) == 1 and len(sandbox.fluxes()) == 2


def rejected_with(sandbox, api, data, syntax="IN_DP_E2_CII_FACTURX"):
    number = deposit(api, data, syntax).json()["numeroFluxDepot"]
    sandbox.advance(2)
    cr = report(api, number)
    assert cr["etatCourantDepotFlux"] == "IN_REJETE"
    assert sandbox.invoices() == []
    return cr


def test_business_rules_on_flux(sandbox, api):
    assert "service" in rejected_with(sandbox, api, facturx_pdf(service_code=None))["listeErreurDP"][0][
        "libelleErreurDP"].lower()
    assert rejected_with(sandbox, api, facturx_pdf(buyer_siret="20000001600010"))["listeErreurDP"]
    assert rejected_with(sandbox, api, facturx_pdf(service_code="ANCIEN_SERVICE_TRAVAUX"))["listeErreurDP"]
    assert rejected_with(sandbox, api, facturx_pdf(service_code="DIR_VOIRIE"))["listeErreurDP"]  # EJ required
    assert rejected_with(sandbox, api, facturx_pdf(tax="150.00"))["listeErreurDP"]
    assert rejected_with(sandbox, api, facturx_pdf(payment_means=False))["listeErreurDP"]
    unknown = rejected_with(sandbox, api, facturx_pdf(seller_siret="79012345900014"))
    assert "79012345900014" in unknown["listeErreurDP"][0]["libelleErreurDP"]
    assert rejected_with(sandbox, api, facturx_pdf(seller_siret="55210055400047"))["listeErreurDP"]


def test_unreadable_files_are_technical_errors(sandbox, api):
    assert rejected_with(sandbox, api, plain_pdf())["listeErreurTechnique"]
    broken = cii_xml().replace(b"<ram:ApplicableHeaderTradeDelivery/>", b"<ram:ApplicableHeaderTradeDelivery>"
                               b"<ram:Inconnu>1</ram:Inconnu></ram:ApplicableHeaderTradeDelivery>")
    cr = rejected_with(sandbox, api, facturx_pdf(broken))
    assert "XSD" in cr["listeErreurTechnique"][0]["libelleErreur"]
    assert rejected_with(sandbox, api, b"not a pdf at all")["listeErreurTechnique"]


def test_bad_base64_and_unsupported_syntax_are_refused_at_once(sandbox, api):
    response = api.post("factures/v1/deposer/flux", {"fichierFlux": "!!!", "nomFichier": "f.pdf",
                                                     "syntaxeFlux": "IN_DP_E2_CII_FACTURX"})
    assert response.status_code == 400 and response.json()["codeRetour"] != 0
    response = deposit(api, facturx_pdf(), syntax="IN_DP_E1_UBL_INVOICE")
    assert response.status_code == 400 and response.json()["codeRetour"] != 0
    api.validate = False
    assert deposit(api, facturx_pdf(), syntax="IN_DP_E2_CPP_FACTURE_MIXTE").status_code == 400
    assert sandbox.fluxes() == []


def test_plain_cii_flux(sandbox, api):
    number = deposit(api, cii_xml(numero="E1-1", buyer_siret=REZE_SIRET, service_code=None),
                     syntax="IN_DP_E1_CII_16B", name="f.xml").json()["numeroFluxDepot"]
    sandbox.advance(2)
    assert report(api, number)["etatCourantDepotFlux"] == "IN_INTEGRE"
    assert sandbox.invoices()[0]["modeDepot"] == "EDI_XML_STRUCT"


def test_archive_flux_can_be_partially_integrated(sandbox, api):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in (("a.pdf", facturx_pdf(numero="T-1")), ("b.pdf", facturx_pdf(numero="T-2",
                                                                                         service_code=None))):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    number = deposit(api, buffer.getvalue(), name="lot.tar.gz").json()["numeroFluxDepot"]
    sandbox.advance(2)
    cr = report(api, number)
    assert cr["etatCourantDepotFlux"] == "IN_INTEGRE_PARTIEL" and cr["listeErreurDP"][0]["numeroDP"] == "T-2"


def test_search_filters_and_pagination(sandbox, api):
    for n in range(3):
        deposit(api, facturx_pdf(numero=f"P-{n}"))
    sandbox.advance(2)
    page = api.ok("factures/v1/rechercher/fournisseur", {"rechercheFactureParFournisseur": {
        "nbResultatsParPage": 2, "pageResultatDemandee": 2, "triColonne": "NumeroFacture", "triSens": "Ascendant"}})
    assert page["parametresRetour"] == {"pageCourante": 2, "pages": 2, "nbResultatsParPage": 2, "total": 3}
    assert [i["numeroFacture"] for i in page["listeFactures"]] == ["P-2"]
    assert api.ok("factures/v1/rechercher/fournisseur", {"numeroFacture": "P-1"})["parametresRetour"]["total"] == 1
    assert api.ok("factures/v1/rechercher/fournisseur", {"statutCourant": ["DEPOSEE"]})["parametresRetour"][
        "total"] == 3
    empty = api.post("factures/v1/rechercher/fournisseur", {"statutCourant": ["MANDATEE"]}).json()
    assert empty["codeRetour"] == 20000
    today = dt.date.today().isoformat()
    assert api.ok("factures/v1/rechercher/fournisseur", {"periodeDateDepotDu": today, "periodeDateDepotAu": today})[
        "parametresRetour"]["total"] == 3
    assert api.post("factures/v1/rechercher/fournisseur", {"periodeDateHeureEtatCourantDu": "2099-01-01"}).json()[
        "codeRetour"] == 20000


def test_other_supplier_cannot_see_the_invoices(sandbox, api, buyer_api):
    deposit(api, facturx_pdf(numero="V-1"))
    sandbox.advance(2)
    assert buyer_api.post("factures/v1/rechercher/fournisseur", {}).json()["codeRetour"] == 20000
    assert buyer_api.post("factures/v1/consulter/fournisseur", {"identifiantFactureCPP": 8420531}).status_code == 400


def test_state_survives_a_restart(sandbox, api):
    deposit(api, facturx_pdf(numero="R-1"))
    sandbox.stop()
    sandbox.start()
    assert len(sandbox.fluxes()) == 1
    api._token = None
    sandbox.advance(2)
    assert api.ok("factures/v1/rechercher/fournisseur", {"numeroFacture": "R-1"})["listeFactures"]
