"""Works pieces (modelled): A4 naming MOE and MOA, A7/A8/A10/A13, search by role, MOE → MOA statuses."""

import pytest

from .helpers import ApiClient
from .test_factures import invoice_body

MOE = "44306184100013"
MOA = "27440045600019"


def works_body(api, cadre="A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR", numero="PD-1", **changes):
    body = invoice_body(api, numero=numero, cadre=cadre, recipient=None, service=None)
    del body["destinataire"]
    body.update({"moe": {"codeStructureMoe": MOE, "codeServiceMoe": "MOE_BATIMENT"},
                 "moa": {"codeStructureMoa": MOA, "codeServiceMoa": "MAITRISE_OUVRAGE"}, **changes})
    return body


@pytest.fixture
def moe_api(sandbox):
    client = ApiClient(sandbox, account=4)
    yield client
    client.close()


def test_a4_goes_from_moe_to_moa(sandbox, api, moe_api, buyer_api):
    receipt = api.ok("facturesTravaux/v1/soumettre", works_body(api))
    assert receipt["statutFactureTravaux"] == "DEPOSEE"
    piece_id = receipt["idFactureTravaux"]
    sandbox.advance()
    assert moe_api.ok("facturesTravaux/v1/rechercher", {"roleUtilisateur": "MOE"})["listeFacturesTravaux"][0][
        "statut"] == "MISE_A_DISPOSITION_MOE"
    refused = moe_api.post("facturesTravaux/v1/traiter", {"idFactureTravaux": piece_id, "action": "REFUS_MOE",
                                                          "motifRefus": "MONTANT"})
    assert refused.status_code == 400 and "19 février 2025" in refused.json()["libelle"]
    for action in ("PRISE_EN_COMPTE_MOE", "TRANSMISSION_MOA"):
        moe_api.ok("facturesTravaux/v1/traiter", {"idFactureTravaux": piece_id, "action": action})
    assert moe_api.post("facturesTravaux/v1/traiter", {"idFactureTravaux": piece_id,
                                                       "action": "PRISE_EN_COMPTE_MOA"}).status_code == 400
    for action in ("MISE_A_DISPOSITION_MOA", "PRISE_EN_COMPTE_MOA", "MANDATEMENT", "MISE_EN_PAIEMENT"):
        buyer_api.ok("facturesTravaux/v1/traiter", {"idFactureTravaux": piece_id, "action": action})
    full = api.ok("facturesTravaux/v1/consulter", {"idFactureTravaux": piece_id})["factureTravaux"]
    assert full["statutFacture"] == "MISE_EN_PAIEMENT"
    assert full["cadreDeFacturation"]["identifiantMoe"] == MOE and full["cadreDeFacturation"]["identifiantMoa"] == MOA
    assert full["references"]["typeFactureTravaux"] == "PROJET_DECOMPTE_MENSUEL"
    history = api.ok("factures/v1/consulter/historique", {"idFacture": piece_id})
    assert [h["histoStatutCode"] for h in history["historiquesDesStatuts"]["histoStatut"]][:3] == [
        "DEPOSEE", "MISE_A_DISPOSITION_MOE", "PRISE_EN_COMPTE_MOE"]


def test_other_frameworks_and_links(sandbox, api):
    first = api.ok("facturesTravaux/v1/soumettre", works_body(api, "A7_PROJET_DECOMPTE_FINAL_FOURNISSEUR", "PDF-1"))
    api.ok("facturesTravaux/v1/soumettre", works_body(api, "A8_DECOMPTE_GENERAL_DEFINITIF_FOURNISSEUR", "DGD-1",
                                                      idPiecePrecedente=first["idFactureTravaux"]))
    validated = works_body(api, "A10_PROJET_DECOMPTE_MENSUEL_SOUSTRAITANT", "ST-1",
                           cadreDeFacturation={"codeCadreFacturation": "A10_PROJET_DECOMPTE_MENSUEL_SOUSTRAITANT",
                                               "codeStructureValideur": "55210055400047"})
    assert api.ok("facturesTravaux/v1/soumettre", validated)["statutFactureTravaux"] == "A_VALIDER_1"
    no_validator = works_body(api, "A13_PROJET_DECOMPTE_MENSUEL_COTRAITANT", "CT-1")
    assert api.post("facturesTravaux/v1/soumettre", no_validator).status_code == 400
    # the final statements of a subcontractor (A11) and a co-contractor (A14): the same checks as A10 / A13
    for cadre, numero in (("A11_PROJET_DECOMPTE_FINAL_SOUSTRAITANT", "ST-F"), ("A14_PROJET_DECOMPTE_FINAL_COTRAITANT",
                                                                                "CT-F")):
        assert api.post("facturesTravaux/v1/soumettre", works_body(api, cadre, numero + "0")).status_code == 400
        final = works_body(api, cadre, numero, cadreDeFacturation={"codeCadreFacturation": cadre,
                                                                     "codeStructureValideur": "55210055400047"})
        assert api.ok("facturesTravaux/v1/soumettre", final)["statutFactureTravaux"] == "A_VALIDER_1"
        piece = api.ok("facturesTravaux/v1/rechercher", {"numeroFactureTravaux": numero})["listeFacturesTravaux"][0]
        assert piece["cadreFacturation"] == cadre and piece["typeFactureTravaux"] == "PROJET_DECOMPTE_FINAL"
    full = api.ok("facturesTravaux/v1/consulter", {"idFactureTravaux": first["idFactureTravaux"]})["factureTravaux"]
    assert full["pieceSuivante"]["numeroPieceSuiante"] == "DGD-1"
    found = api.ok("facturesTravaux/v1/rechercher", {"cadreFacturation": "A7_PROJET_DECOMPTE_FINAL_FOURNISSEUR"})
    assert [p["numeroFactureTravaux"] for p in found["listeFacturesTravaux"]] == ["PDF-1"]


def test_works_errors(sandbox, api):
    assert api.post("facturesTravaux/v1/soumettre", works_body(api, moe={})).status_code == 400
    bad_moa = works_body(api, moa={"codeStructureMoa": "22440002800011"})
    assert api.post("facturesTravaux/v1/soumettre", bad_moa).status_code == 400
    a1 = works_body(api, "A1_FACTURE_FOURNISSEUR")
    assert api.post("facturesTravaux/v1/soumettre", a1).status_code == 400
    empty = api.post("facturesTravaux/v1/rechercher", {"roleUtilisateur": "FOURNISSEUR"}).json()
    assert (empty["codeRetour"], empty["libelle"]) == (20007, "GFT_MSG_01.075")
    assert api.post("facturesTravaux/v1/soumettre", works_body(api, lignePoste="pas une liste")).status_code == 400
