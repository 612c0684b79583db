"""The Chorus Pro operations chorusbat calls: path, verb, and whether a failed call may be repeated.

``retry_safe`` is the one switch that allows automatic retries. Reads and searches are safe. Calls that create
or change something in Chorus Pro (deposit, submit, complete, recycle, acknowledge a rejection, upload a file)
are never repeated automatically: after a timeout nobody knows whether Chorus Pro acted, and a blind retry can
create a duplicate (chorus-pro-api.md §14.4).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Operation:
    path: str
    retry_safe: bool
    method: str = "POST"
    # A "no result" answer (codeRetour 20000 / 20007, §14.2) is an empty result, not an error.
    is_search: bool = False

    @property
    def name(self) -> str:
        return self.path.removeprefix("/cpro/")


def _read(path: str, *, method: str = "POST", search: bool = False) -> Operation:
    return Operation(path=path, retry_safe=True, method=method, is_search=search)


def _write(path: str) -> Operation:
    return Operation(path=path, retry_safe=False)


# Transverses (§7)
HEALTH_CHECK = _read("/cpro/transverses/v1/health-check", method="GET")
OWN_SUPPLIER_STRUCTURES = _read("/cpro/transverses/v1/recuperer/structures/actives/fournisseur", search=True)
VALID_BANK_ACCOUNTS = _read("/cpro/transverses/v1/recuperer/coordbanc/valides", search=True)
UPLOAD_FILE = _write("/cpro/transverses/v1/ajouter/fichier")
FLUX_REPORT = _read("/cpro/transverses/v1/consulterCRDetaille")

# Structures (§8)
SEARCH_STRUCTURES = _read("/cpro/structures/v1/rechercher", search=True)
CONSULT_STRUCTURE = _read("/cpro/structures/v1/consulter")
SEARCH_SERVICES = _read("/cpro/structures/v1/rechercher/services", search=True)
CONSULT_SERVICE = _read("/cpro/structures/v1/consulter/service")

# Factures (§10)
DEPOSIT_FLUX = _write("/cpro/factures/v1/deposer/flux")
SUBMIT_INVOICE = _write("/cpro/factures/v1/soumettre")
SEARCH_SUPPLIER_INVOICES = _read("/cpro/factures/v1/rechercher/fournisseur", search=True)
CONSULT_SUPPLIER_INVOICE = _read("/cpro/factures/v1/consulter/fournisseur")
INVOICE_HISTORY = _read("/cpro/factures/v1/consulter/historique")
COMPLETE_INVOICE = _write("/cpro/factures/v1/completer")
RECYCLE_INVOICE = _write("/cpro/factures/v1/recycler")
ACKNOWLEDGE_REJECTION = _write("/cpro/factures/v1/traiterRejet")
