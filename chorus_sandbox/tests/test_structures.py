"""Structures and Transverses operations, checked against the Swagger by the ApiClient."""

import pytest

from .helpers import NANTES_SIRET, SUPPLIER_SIRET, b64, plain_pdf


def find(api, siret):
    return api.ok("structures/v1/rechercher",
                  {"structure": {"identifiantStructure": siret, "typeIdentifiantStructure": "SIRET"}})


def test_lookup_buyer_by_siret_then_rules_and_services(api):
    found = find(api, NANTES_SIRET)
    assert found["parametresRetour"]["total"] == 1
    nantes = found["listeStructures"][0]
    assert nantes["statut"] == "ACTIVE" and nantes["idStructureCPP"] == 2001
    details = api.ok("structures/v1/consulter", {"idStructureCPP": 2001, "codeLangue": "FR"})
    assert details["parametres"]["codeServiceDoitEtreRenseigne"] is True
    assert "dateExpirationMotPasseCompteTech" not in details["informationGenerales"]
    services = api.ok("structures/v1/rechercher/services", {
        "idStructure": 2001, "parametresRechercherServicesStructure": {"nbResultatsParPage": 2,
                                                                        "pageResultatDemandee": 1}})
    assert services["parametresRetour"] == {"pageCourante": 1, "pages": 2, "nbResultatsParPage": 2, "total": 4}
    service = api.ok("structures/v1/consulter/service", {"idStructure": 2001, "idService": 5102})
    assert service["parametres"]["numeroEngagement"] is True


def test_unknown_siret_is_an_empty_result(api):
    response = api.post("structures/v1/rechercher", {"structure": {"identifiantStructure": "12345678200051"}})
    assert response.status_code == 200 and response.json()["codeRetour"] == 20000


def test_inactive_structure_and_moa_filters(api):
    assert find(api, "20000001600010")["listeStructures"][0]["statut"] == "INACTIVE"
    moas = api.ok("structures/v1/rechercher", {"structure": {"estMOA": True},
                                               "parametres": {"nbResultatsParPage": 50}})
    assert {s["identifiantStructure"] for s in moas["listeStructures"]} >= {"27440045600019", "28440046200016"}


def test_own_structure_shows_password_expiry(api):
    details = api.ok("structures/v1/consulter", {"idStructureCPP": 1001})
    assert details["informationGenerales"]["dateExpirationMotPasseCompteTech"]
    assert details["informationGenerales"]["numeroTVA"] == "FR44732829320"


def test_generic_paging_object_is_refused_for_services(api):
    api.validate = False
    response = api.post("structures/v1/rechercher/services", {"idStructure": 2001, "parametres": {}})
    assert response.status_code == 400


def test_own_structures_and_bank_accounts(api):
    own = api.ok("transverses/v1/recuperer/structures/actives/fournisseur")
    assert own["listeStructures"] == [{"idStructureCPP": 1001, "identifiant": SUPPLIER_SIRET,
                                       "designationStructure": "PEINTURES DU LITTORAL SARL"}]
    banks = api.ok("transverses/v1/recuperer/coordbanc/valides", {"idStructure": 1001})
    assert banks["listeCoordonneeBancaire"][0]["idCoordonneeBancaire"] == 7001
    assert api.post("transverses/v1/recuperer/coordbanc/valides", {"idStructure": 2001}).status_code == 400


def test_reference_lists(api):
    rates = api.ok("transverses/v1/recuperer/tauxtva", {"codeLangue": "FR"})["listeTauxTva"]
    assert {r["valeurTauxTva"] for r in rates} >= {0, 2.1, 5.5, 10, 20}
    frameworks = api.ok("transverses/v1/recuperer/cadrefacturation", {"typeDemandePaiement": "FACTURE"})
    assert [f["codeCadreFacturation"][:3] for f in frameworks["listeCadreFacturation"]] == ["A1_", "A2_", "A9_",
                                                                                              "A12"]


def test_upload_file(api):
    ok = api.ok("transverses/v1/ajouter/fichier", {"pieceJointeFichier": b64(plain_pdf()), "pieceJointeNom": "f.pdf",
                                                  "pieceJointeTypeMime": "application/pdf",
                                                  "pieceJointeExtension": "PDF"})
    assert ok["pieceJointeId"] > 0


@pytest.mark.parametrize("change, status, code", [
    ({"pieceJointeNom": "x" * 51 + ".pdf"}, 400, None),
    ({"pieceJointeFichier": "%%%"}, 400, None),
    ({"pieceJointeFichier": b64(b"0" * (10 * 1024 * 1024 + 1))}, 400, 20003),
])
def test_upload_file_errors(api, change, status, code):
    body = {"pieceJointeFichier": b64(b"abc"), "pieceJointeNom": "f.pdf", "pieceJointeTypeMime": "application/pdf",
            "pieceJointeExtension": "pdf", **change}
    response = api.post("transverses/v1/ajouter/fichier", body)
    assert response.status_code == status and response.json()["codeRetour"] != 0
    if code:
        assert response.json()["codeRetour"] == code


def test_credential_probe(api):
    assert api.ok("utilisateurs/v1/monCompte/recuperer/rattachements", {})["listeRattachements"]


def test_seed_addition_is_visible(sandbox, api):
    sandbox.add_seed({"structures": [{"siret": "79012345900014", "name": "COMMUNE DE TEST", "type": "PUBLIQUE"}]})
    assert find(api, "79012345900014")["listeStructures"][0]["designationStructure"] == "COMMUNE DE TEST"


# --- restreindreStructuresPrivees: AIFE's rule (fidelity review B6) ---------------------------------------------

MOE_SIRET = "44306184100013"  # private, attached to the MOE's technical account only


def private_sirets(api, **flag):
    body = {"structure": {"typeStructure": "PRIVEE"}, "parametres": {"nbResultatsParPage": 100}, **flag}
    response = api.post("structures/v1/rechercher", body)
    assert response.status_code == 200, response.text
    return {s["identifiantStructure"] for s in response.json().get("listeStructures", [])}


@pytest.mark.parametrize("flag", [{}, {"restreindreStructuresPrivees": True}])
def test_private_structures_are_restricted_to_the_callers_own_by_default(api, flag):
    assert private_sirets(api, **flag) == {SUPPLIER_SIRET}
    by_siret = api.post("structures/v1/rechercher", {"structure": {"identifiantStructure": MOE_SIRET}, **flag})
    assert by_siret.status_code == 200 and by_siret.json()["codeRetour"] == 20000  # "no result"
    publics = api.ok("structures/v1/rechercher", {"structure": {"identifiantStructure": NANTES_SIRET}, **flag})
    assert [s["idStructureCPP"] for s in publics["listeStructures"]] == [2001]  # public ones stay visible


def test_unrestricted_search_returns_every_private_structure(api):
    assert private_sirets(api, restreindreStructuresPrivees=False) >= {
        SUPPLIER_SIRET, MOE_SIRET, "55210055400047", "51234567900017"}
    found = api.ok("structures/v1/rechercher", {"structure": {"identifiantStructure": MOE_SIRET},
                                                "restreindreStructuresPrivees": False})
    assert found["listeStructures"][0]["designationStructure"] == "ATELIER D'ARCHITECTURE OUEST"


def test_large_buyer_has_hundreds_of_services_read_in_pages(api):
    """The seed's large buyer (fidelity review B3): hundreds of services, all reachable by paging."""
    large = find(api, "26440050800018")["listeStructures"][0]
    assert large["idStructureCPP"] == 2010
    body = {"idStructure": 2010, "parametresRechercherServicesStructure": {"nbResultatsParPage": 100,
                                                                           "pageResultatDemandee": 4}}
    page = api.ok("structures/v1/rechercher/services", body)
    assert page["parametresRetour"] == {"pageCourante": 4, "pages": 4, "nbResultatsParPage": 100, "total": 324}
    body["parametresRechercherServicesStructure"] = {"nbResultatsParPage": 1000}
    every = api.ok("structures/v1/rechercher/services", body)["listeServices"]
    assert len(every) == 324 and len({s["idService"] for s in every}) == 324
    assert {"DIR_ACHATS", "UF_001", "UF_320"} <= {s["codeService"] for s in every}
    service = api.ok("structures/v1/consulter/service", {"idStructure": 2010, "idService": 5902})
    assert service["parametres"]["numeroEngagement"] is True
