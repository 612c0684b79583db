"""Statuses over time: every transition is written to the invoice's history; the clock moves things along.

One *tick* processes each pending flux one state further (flux.py) and moves each invoice that is on an
automatic path one status further: the A1/A2 happy path, the validator path of A9/A12, the works MOE → MOA
path (assumptions.py). Invoices in a status waiting for someone (SUSPENDUE, A_RECYCLER, REJETEE, …) stay put
until ``completer``/``recycler``/``traiter/recue`` or ``/_sim/invoices/status`` moves them.

The tick itself (and the background ``Clock`` thread) is in clock.py, above both this module and flux.py.
"""

from __future__ import annotations

from . import assumptions
from .core import App, date_iso

#: Statuses that never move again.
FINAL_STATUSES = {"MISE_EN_PAIEMENT", "REJETEE", "ABANDONNEE", "SUPPRIMEE", "REFUSEE_1", "REFUSEE_2", "REFUSEE_MOE",
                  "REFUSEE_MOA"}


def set_status(app: App, invoice: dict, status: str, comment: str | None = None, actor: str = "CHORUS PRO") -> None:
    """Change the current status and append it to the history (§10.6, §18.10)."""
    now = app.now()
    invoice["statut"] = status
    invoice["dateHeureEtatCourant"] = date_iso(now)
    invoice["commentaireEtatCourant"] = comment or ""
    invoice["history"].append(
        {
            "id": app.store.next_id("history", 900001),
            "code": status,
            "at": date_iso(now),
            "comment": comment or "",
            "actor": actor,
        }
    )
    app.store.put("invoice", invoice)


def add_action(app: App, invoice: dict, code: str, actor: str) -> None:
    invoice["actions"].append({"id": app.store.next_id("action", 950001), "code": code,
                               "at": date_iso(app.now()), "actor": actor})


def next_status(invoice: dict) -> str | None:
    """The status the clock moves this invoice to, or None if it waits for someone."""
    status = invoice["statut"]
    works = invoice["typeDemandePaiement"] == "FACTURE_TRAVAUX"
    validator_path = assumptions.WORKS_VALIDATOR_PATH if works else assumptions.VALIDATOR_PATH
    path = assumptions.WORKS_PATH if works else assumptions.INVOICE_HAPPY_PATH
    if status in FINAL_STATUSES:
        return None
    for sequence in (validator_path, path):
        if status in sequence[:-1]:
            return sequence[sequence.index(status) + 1]
    if status == "COMPLETEE":
        return "MISE_A_DISPOSITION"
    return None


def actor_of(status: str) -> str:
    if status in ("VALIDEE_1",):
        return "VALIDEUR (SIMULATEUR)"
    if status in ("DEPOSEE", "EN_COURS_ACHEMINEMENT", "MISE_A_DISPOSITION", "MISE_A_DISPOSITION_MOE",
                  "MISE_A_DISPOSITION_MOA", "TRANSMISE_MOA"):
        return "CHORUS PRO"
    return "DESTINATAIRE (SIMULATEUR)"


def summary(invoice: dict) -> dict:
    """The short view of an invoice used by /_sim/state and the demo page."""
    return {
        "identifiantFactureCPP": invoice["id"],
        "numeroFacture": invoice["numeroFacture"],
        "typeDemandePaiement": invoice["typeDemandePaiement"],
        "cadre": invoice["cadre"],
        "fournisseur": invoice["supplier_siret"],
        "destinataire": invoice["recipient_siret"],
        "statut": invoice["statut"],
        "montantTTC": str(invoice["montantTTC"]),
        "numeroFluxDepot": invoice.get("numeroFluxDepot"),
        "modeDepot": invoice["modeDepot"],
        "history": [h["code"] for h in invoice["history"]],
        "pieceJointePrincipaleId": invoice.get("main_attachment_id"),
        "piecesJointesComplementaires": [
            {"id": a.get("id"), "designation": a.get("designation")} for a in invoice.get("attachments") or []
        ],
    }
