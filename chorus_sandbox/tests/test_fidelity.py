"""Fidelity fixes of issue 11: deposit modes of works pieces, A10/A13 without MOE, flux error states on demand,
history order, invented return codes outside the annex's ranges (fidelity review B1, B2, B4, B7, U10, U11)."""

import pytest

from chorus_sandbox import assumptions

from .helpers import facturx_pdf
from .test_flux import deposit, report
from .test_works import works_body

TITULAIRE = "55210055400047"


def submit_works(api, body):
    api.validate = False
    return api.post("facturesTravaux/v1/soumettre", body)


def test_saisie_api_numbers_the_piece_and_ignores_our_number(sandbox, api):
    receipt = submit_works(api, works_body(api, numero="SIT-2026-001", modeDepot="SAISIE_API")).json()
    assert receipt["codeRetour"] == 0
    assert receipt["numeroFactureTravaux"] != "SIT-2026-001" and receipt["numeroFactureTravaux"].isdigit()
    empty = api.post("facturesTravaux/v1/rechercher", {"numeroFactureTravaux": "SIT-2026-001"}).json()
    assert empty["codeRetour"] == 20007


def test_depot_pdf_api_keeps_our_number_once(sandbox, api):
    receipt = submit_works(api, works_body(api, numero="SIT-2026-002")).json()
    assert receipt["numeroFactureTravaux"] == "SIT-2026-002"
    found = api.ok("facturesTravaux/v1/rechercher", {"numeroFactureTravaux": "SIT-2026-002"})
    assert [p["idFactureTravaux"] for p in found["listeFacturesTravaux"]] == [receipt["idFactureTravaux"]]
    again = submit_works(api, works_body(api, numero="SIT-2026-002"))
    assert again.status_code == 400 and again.json()["codeRetour"] == assumptions.CODES["DUPLICATE_NUMBER"][0]
    # The PDF mode needs the number and the main attachment.
    assert submit_works(api, works_body(api, numero=None)).status_code == 400
    assert submit_works(api, works_body(api, numero="SIT-2026-003", pieceJointePrincipale=None)).status_code == 400


@pytest.mark.parametrize("cadre", ["A10_PROJET_DECOMPTE_MENSUEL_SOUSTRAITANT", "A13_PROJET_DECOMPTE_MENSUEL_COTRAITANT",
                                   "A11_PROJET_DECOMPTE_FINAL_SOUSTRAITANT", "A14_PROJET_DECOMPTE_FINAL_COTRAITANT"])
def test_a10_a13_name_their_validator_and_no_moe(sandbox, api, cadre):
    body = works_body(api, cadre, numero=f"V-{cadre[:3]}",
                      cadreDeFacturation={"codeCadreFacturation": cadre, "codeStructureValideur": TITULAIRE})
    del body["moe"]
    receipt = submit_works(api, body).json()
    assert receipt["codeRetour"] == 0 and receipt["statutFactureTravaux"] == "A_VALIDER_1"
    sandbox.advance(4)
    piece = api.ok("facturesTravaux/v1/rechercher", {"numeroFactureTravaux": f"V-{cadre[:3]}"})
    assert piece["listeFacturesTravaux"][0]["statut"] not in ("A_VALIDER_1",)


def test_a4_still_needs_its_moe(sandbox, api):
    body = works_body(api, numero="NO-MOE")
    del body["moe"]
    refused = submit_works(api, body)
    assert refused.status_code == 400 and refused.json()["codeRetour"] == assumptions.CODES["MOE_MANDATORY"][0]


@pytest.mark.parametrize("state", ["IN_INCIDENTE", "IN_ERREUR_INTERNE", "QP_IRRECEVABLE", "QP_RECEVABLE_AVEC_ERREUR"])
def test_flux_error_states_on_demand(sandbox, api, state):
    sandbox.set_faults([{"route": "/cpro/factures/v1/deposer/flux", "flux_state": state}], seed=1)
    number = deposit(api, facturx_pdf(numero=f"E-{state[:6]}")).json()["numeroFluxDepot"]
    sandbox.advance(3)
    cr = report(api, number)
    assert cr["etatCourantDepotFlux"] == state
    errors = cr["listeErreurDP"] + cr["listeErreurTechnique"]
    assert errors and not api.post("factures/v1/rechercher/fournisseur", {"numeroFluxDepot": number}).json()[
        "listeFactures"]
    sandbox.advance(3)
    assert report(api, number)["etatCourantDepotFlux"] == state  # it stays there


def test_flux_processed_but_never_integrated_on_demand(sandbox, api):
    sandbox.set_faults([{"route": "/cpro/factures/v1/deposer/flux", "flux_state": "IN_TRAITE_SE_CPP"}], seed=1)
    number = deposit(api, facturx_pdf(numero="T-1")).json()["numeroFluxDepot"]
    sandbox.advance(2)
    assert report(api, number)["etatCourantDepotFlux"] == "IN_TRAITE_SE_CPP"
    found = api.ok("factures/v1/rechercher/fournisseur", {"numeroFluxDepot": number})["listeFactures"]
    assert [f["numeroFacture"] for f in found] == ["T-1"]


def test_flux_state_rules_are_checked(sandbox):
    with pytest.raises(Exception):  # noqa: B017 - any refusal of the sandbox's control endpoint
        sandbox.set_faults([{"route": "*", "flux_state": "IN_INTEGRE"}])


def test_history_order_and_paging_are_honoured(sandbox, api, buyer_api):
    number = deposit(api, facturx_pdf(numero="H-1")).json()["numeroFluxDepot"]
    sandbox.advance(5)
    invoice_id = api.ok("factures/v1/rechercher/fournisseur", {"numeroFluxDepot": number})["listeFactures"][0][
        "identifiantFactureCPP"]

    def codes(**params):
        body = {"idFacture": invoice_id, "paramRechercheHistoStatuts": params}
        return [h["histoStatutCode"] for h in api.ok("factures/v1/consulter/historique", body)[
            "historiquesDesStatuts"]["histoStatut"]]

    ascending = codes(triColonneListeHistoStatut="HistoStatutDatePassage", triSensListeHistoStatut="Ascendant")
    assert ascending[0] == "DEPOSEE" and len(ascending) >= 3
    assert codes(triSensListeHistoStatut="Descendant") == list(reversed(ascending))
    assert codes(nbResultatsParPageListeHistoStatut=2, pageResultatDemandeeListeHistoStatut=2,
                 triSensListeHistoStatut="Ascendant") == ascending[2:4]
    api.validate = False
    bad = api.post("factures/v1/consulter/historique",
                   {"idFacture": invoice_id, "paramRechercheHistoStatuts": {"triSensListeHistoStatut": "Haut"}})
    assert bad.status_code == 400


def test_invented_codes_stay_out_of_the_annex_ranges():
    confirmed = {"SUCCESS", "NO_RESULT", "WORKS_NO_RESULT", "FILE_TOO_LARGE", "FLUX_TOO_LARGE"}
    for key, (code, _label) in assumptions.CODES.items():
        if key not in confirmed:
            assert 29000 <= code < 30000, (key, code)


def test_works_family_can_be_switched_off(sandbox, api):
    sandbox.configure(works_api=False)
    try:
        response = api.post("facturesTravaux/v1/rechercher", {"roleUtilisateur": "FOURNISSEUR"})
        assert response.status_code == 404 and "codeRetour" not in response.json()
    finally:
        sandbox.configure(works_api=True)
    assert api.post("facturesTravaux/v1/rechercher", {"roleUtilisateur": "FOURNISSEUR"}).status_code == 200
