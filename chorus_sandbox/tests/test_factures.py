"""soumettre (A1, A2, A9, A12) and the supplier actions completer, recycler, traiterRejet."""

import datetime as dt

import pytest

from .helpers import NANTES_SIRET, REZE_SIRET, b64, plain_pdf

TODAY = dt.date.today().isoformat()


def upload(api):
    return api.ok("transverses/v1/ajouter/fichier", {
        "pieceJointeFichier": b64(plain_pdf()), "pieceJointeNom": "facture.pdf",
        "pieceJointeTypeMime": "application/pdf", "pieceJointeExtension": "PDF"})["pieceJointeId"]


def invoice_body(api, numero="S-1", recipient=NANTES_SIRET, service="DIR_BATIMENTS", cadre="A1_FACTURE_FOURNISSEUR",
                 ht="100.00", tva="20.00", ttc="120.00", **changes):
    body = {
        "modeDepot": "DEPOT_PDF_API",
        "numeroFactureSaisi": numero,
        "dateFacture": TODAY,
        "destinataire": {"codeDestinataire": recipient, **({"codeServiceExecutant": service} if service else {})},
        "fournisseur": {"idFournisseur": 1001, "codeCoordonneesBancairesFournisseur": 7001},
        "cadreDeFacturation": {"codeCadreFacturation": cadre},
        "references": {"deviseFacture": "EUR", "typeFacture": "FACTURE", "typeTva": "TVA_SUR_DEBIT",
                       "modePaiement": "VIREMENT"},
        "lignePoste": [{"lignePosteNumero": 1, "lignePosteDenomination": "Peinture", "lignePosteQuantite": 1,
                        "lignePosteMontantUnitaireHT": float(ht), "lignePosteTauxTvaManuel": 20}],
        "ligneTva": [{"ligneTvaTauxManuel": 20, "ligneTvaMontantBaseHtParTaux": float(ht),
                      "ligneTvaMontantTvaParTaux": float(tva)}],
        "montantTotal": {"montantHtTotal": float(ht), "montantTVA": float(tva), "montantTtcTotal": float(ttc),
                         "montantAPayer": float(ttc)},
        "pieceJointePrincipale": [{"pieceJointePrincipaleDesignation": "Facture",
                                   "pieceJointePrincipaleId": upload(api)}],
    }
    body.update(changes)
    return body


def submit(api, **kwargs):
    api.validate = False  # the array form of pieceJointePrincipale is what production clients send (§10.1)
    return api.post("factures/v1/soumettre", invoice_body(api, **kwargs))


def test_submit_pdf_invoice(sandbox, api):
    response = submit(api)
    body = response.json()
    assert response.status_code == 200 and body["codeRetour"] == 0, body
    assert body["statutFacture"] == "DEPOSEE" and body["numeroFacture"] == "S-1"
    assert body["identifiantStructure"] == "73282932000074" and body["empreinteCertificatDepot"]
    api.validate = True
    full = api.ok("factures/v1/consulter/fournisseur", {"identifiantFactureCPP": body["identifiantFactureCPP"],
                                                         "getpLignesPoste": {"nbResultatsParPageLignesPoste": 5}})
    assert full["facture"]["lignesDePoste"]["lignePoste"][0]["lignePosteMontantHtApresRemise"] == 100.0
    api.validate = False  # the Go client's spelling is tolerated (§10.5) but is not the Swagger's
    alias = api.ok("factures/v1/consulter/fournisseur", {"identifiantFactureCPP": body["identifiantFactureCPP"],
                                                          "pLignesPoste": {"nbResultatsParPageLignesPoste": 5}})
    assert alias["facture"]["lignesDePoste"]["nbResultatsParPageLignesPoste"] == 5


def test_saisie_api_numbers_the_invoice(sandbox, api):
    body = invoice_body(api, modeDepot="SAISIE_API")
    del body["numeroFactureSaisi"]
    api.validate = False
    number = api.post("factures/v1/soumettre", body).json()["numeroFacture"]
    assert len(number) == 20 and number.startswith(str(dt.date.today().year))


@pytest.mark.parametrize("kwargs, fragment", [
    ({"service": None}, "Performing service"),
    ({"service": "ANCIEN_SERVICE_TRAVAUX"}, "inactif"),
    ({"service": "FACTURES_PUBLIQUES"}, "FACTURES_PUBLIQUES"),
    ({"service": "DIR_VOIRIE"}, "engagement"),
    ({"recipient": "20000001600010", "service": None}, "Recipient not located"),
    ({"recipient": "22440002800011", "service": None}, "engagement"),
    ({"recipient": "23440003400018", "service": None}, "service ou le numéro"),
    ({"recipient": "13000123300019", "service": None,
      "references": {"numeroBonCommande": "9999999999", "typeFacture": "FACTURE"}}, "9999999999"),
    ({"recipient": "28440046200016", "service": None}, "maître d'ouvrage"),
    ({"ttc": "121.00"}, "consistency"),
    ({"tva": "25.00", "ttc": "125.00"}, "consistency"),
    ({"dateFacture": "2099-01-01"}, "date"),
    ({"cadre": "A9_FACTURE_SOUSTRAITANT"}, "valideur"),
    ({"fournisseur": {"idFournisseur": 1002}}, "rattachée"),
    ({"fournisseur": {"idFournisseur": 1001, "codeCoordonneesBancairesFournisseur": 7002}}, "bancaires"),
    ({"pieceJointePrincipale": [{"pieceJointePrincipaleId": 999999}]}, "999999"),
    ({"references": {"typeFacture": "AVOIR"}}, "origine"),
])
def test_business_rules(sandbox, api, kwargs, fragment):
    response = submit(api, **kwargs)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["codeRetour"] != 0 and fragment.lower() in body["libelle"].lower()
    assert sandbox.invoices() == []


def test_rules_pass_for_each_valid_combination(sandbox, api):
    ok = [
        {"recipient": REZE_SIRET, "service": None},
        {"recipient": "22440002800011", "service": None, "references": {"numeroBonCommande": "EJ-1"}},
        {"recipient": "23440003400018", "service": "DIR_LYCEES"},
        {"recipient": "24440040400012", "service": "DIR_ESPACE_PUBLIC", "references": {"numeroBonCommande": "EJ-2"}},
        {"recipient": "13000123300019", "service": None, "references": {"numeroBonCommande": "1300012345"}},
        {"service": "DIR_VOIRIE", "references": {"numeroBonCommande": "EJ-3"}},
    ]
    for index, kwargs in enumerate(ok):
        response = submit(api, numero=f"OK-{index}", **kwargs)
        assert response.status_code == 200, (kwargs, response.text)


def test_invalid_enum_is_refused(api):
    response = submit(api, cadreDeFacturation={"codeCadreFacturation": "A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR"})
    assert response.status_code == 400 and "codeCadreFacturation" in response.json()["libelle"]


def test_duplicate_number_is_refused(sandbox, api):
    assert submit(api).status_code == 200
    response = submit(api)
    assert response.status_code == 400 and "S-1" in response.json()["libelle"]
    assert len(sandbox.invoices()) == 1


def test_business_errors_can_answer_http_200(sandbox, api):
    sandbox.configure(business_error_status=200)
    response = submit(api, service=None)
    assert response.status_code == 200 and response.json()["codeRetour"] != 0


def test_subcontractor_invoice_waits_for_validator(sandbox, api):
    response = submit(api, cadreDeFacturation={"codeCadreFacturation": "A9_FACTURE_SOUSTRAITANT",
                                               "codeStructureValideur": "55210055400047"})
    assert response.json()["statutFacture"] == "A_VALIDER_1"
    sandbox.advance(2)
    assert sandbox.invoices()[0]["statut"] == "DEPOSEE"
    assert sandbox.invoices()[0]["history"] == ["A_VALIDER_1", "VALIDEE_1", "DEPOSEE"]


def test_completer_only_when_suspended(sandbox, api, buyer_api):
    invoice_id = submit(api).json()["identifiantFactureCPP"]
    api.validate = True
    body = {"identifiantFactureCPP": invoice_id, "commentaire": "Attestation jointe",
            "pieceJointeComplementaire": [{"pieceJointeComplementaireId": upload(api),
                                           "pieceJointeComplementaireDesignation": "Attestation"}]}
    refused = api.post("factures/v1/completer", body)
    assert refused.status_code == 400 and "GDP_MSG_11.001" in refused.json()["libelle"]
    sandbox.advance(2)
    assert buyer_api.post("factures/v1/traiter/recue", {"idFacture": invoice_id,
                                                        "nouveauStatut": "SUSPENDUE"}).status_code == 400
    buyer_api.ok("factures/v1/traiter/recue", {"idFacture": invoice_id, "nouveauStatut": "SUSPENDUE",
                                               "motif": "Attestation manquante"})
    found = api.ok("factures/v1/rechercher/fournisseur", {"numeroFacture": "S-1"})["listeFactures"][0]
    assert found["commentaireEtatCourant"] == "Attestation manquante"
    done = api.ok("factures/v1/completer", body)
    assert done["numeroFacture"] == "S-1"
    assert sandbox.invoices()[0]["statut"] == "COMPLETEE"
    sandbox.advance()
    assert sandbox.invoices()[0]["statut"] == "MISE_A_DISPOSITION"


def test_recycler_keeps_the_number(sandbox, api):
    invoice_id = submit(api).json()["identifiantFactureCPP"]
    api.validate = True
    body = {"identifiantFactureCPP": invoice_id, "destinataire": {"codeDestinataire": REZE_SIRET}}
    assert api.post("factures/v1/recycler", body).status_code == 400
    sandbox.set_invoice_status(invoice_id, "A_RECYCLER", "Mauvais destinataire")
    assert api.post("factures/v1/recycler", {"identifiantFactureCPP": invoice_id, "destinataire": {
        "codeDestinataire": "24440040400012"}}).status_code == 400  # service and EJ required there
    result = api.ok("factures/v1/recycler", body)
    assert result["numeroFacture"] == "S-1" and result["statutFacture"] == "DEPOSEE"
    assert sandbox.invoices()[0]["destinataire"] == REZE_SIRET


def test_traiter_rejet(sandbox, api):
    invoice_id = submit(api).json()["identifiantFactureCPP"]
    api.validate = True
    body = {"listeDemandePaiement": [{"idDemandePaiement": invoice_id}]}
    assert api.post("factures/v1/traiterRejet", body).status_code == 400
    sandbox.set_invoice_status(invoice_id, "REJETEE", "Facture en double")
    api.ok("factures/v1/traiterRejet", body)
    found = api.ok("factures/v1/rechercher/fournisseur", {"rejetTraite": True})["listeFactures"]
    assert [f["identifiantFactureCPP"] for f in found] == [invoice_id]
    history = api.ok("factures/v1/consulter/historique", {"idFacture": invoice_id})
    assert history["derniereAction"]["derniereActionCode"] == "TRAITEMENT_REJET"
    sandbox.advance(3)
    assert sandbox.invoices()[0]["statut"] == "REJETEE"


def test_recipient_cannot_set_supplier_statuses(sandbox, api, buyer_api):
    invoice_id = submit(api).json()["identifiantFactureCPP"]
    sandbox.advance(2)
    response = buyer_api.post("factures/v1/traiter/recue", {"idFacture": invoice_id, "nouveauStatut": "DEPOSEE"})
    assert response.status_code == 400
