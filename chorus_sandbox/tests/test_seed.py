"""The seed data and the command line."""

import json
import subprocess
import sys

import pytest
from stdnum.fr import siret

from chorus_sandbox import contract, seed
from conftest import REFERENCE_DIR

REFERENCE = REFERENCE_DIR / "chorus-pro"


def test_every_seed_siret_passes_the_luhn_check():
    data = seed.load_seed_file()
    sirets = [s["siret"] for s in data["structures"]]
    sirets += [s for a in data["technical_accounts"] for s in a["sirets"]]
    assert sirets and all(siret.is_valid(s) for s in sirets), [s for s in sirets if not siret.is_valid(s)]


def test_seed_covers_the_demo_supplier_and_buyer():
    data = seed.load_seed_file()
    first = data["technical_accounts"][0]
    assert first["login"] == "TECH_1_73282932000074@cpro.fr" and first["password_expires_in_days"] > 0
    structures = {s["siret"]: s for s in data["structures"]}
    assert structures["73282932000074"]["tva"] == "FR44732829320" and structures["73282932000074"]["bank_accounts"]
    nantes = structures["21440109300015"]
    assert nantes["rules"]["codeServiceDoitEtreRenseigne"]
    assert any(s["code"] == "DIR_BATIMENTS" and s["active"] for s in nantes["services"])
    assert any(a["password_expires_in_days"] < 0 for a in data["technical_accounts"])
    assert any("factures" not in c["families"] for c in data["piste_clients"])


def test_print_credentials_prints_the_documented_shape():
    out = subprocess.run([sys.executable, "-m", "chorus_sandbox", "--print-credentials"], capture_output=True,
                         text=True, check=True, timeout=60).stdout
    creds = json.loads(out)
    assert set(creds) == {"piste", "technical_accounts"}
    assert set(creds["piste"]) == {"client_id", "client_secret"}
    first = creds["technical_accounts"][0]
    assert set(first) == {"login", "password", "sirets"} and first["sirets"] == ["73282932000074"]


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference documents not available")
@pytest.mark.parametrize("name", ["factures.swagger.json", "structures.swagger.json"])
def test_packaged_contract_is_the_reference_copy(name):
    assert (contract.CONTRACT_DIR / name).read_bytes() == (REFERENCE / name).read_bytes()
