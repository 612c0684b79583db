"""Statuses over time: every transition is written to the invoice's history; the clock moves things along.

One *tick* processes each pending flux one state further (flux.py) and moves each invoice that is on an
automatic path one status further: the A1/A2 happy path, the validator path of A9/A12, the works MOE → MOA
path (assumptions.py). Invoices in a status waiting for someone (SUSPENDUE, A_RECYCLER, REJETEE, …) stay put
until ``completer``/``recycler``/``traiter/recue`` or ``/_sim/invoices/status`` moves them.

Ticks come from ``POST /_sim/advance`` (tests, clock off) or from the background ``Clock`` thread.
"""

from __future__ import annotations

import logging
import threading

from . import assumptions
from .core import App, date_iso

log = logging.getLogger("chorus_sandbox")

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


def tick(app: App) -> dict:
    """One clock step; returns how many fluxes and invoices moved."""
    from . import flux  # flux processing creates invoices, which this module moves

    with app.store.transaction():
        fluxes, created = flux.process_pending(app)
        moved = 0
        for invoice in app.store.all("invoice"):
            target = None if invoice["id"] in created else next_status(invoice)
            if target:
                set_status(app, invoice, target, actor=_actor(target))
                moved += 1
    return {"fluxes": fluxes, "invoices": moved}


def _actor(status: str) -> str:
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


class Clock(threading.Thread):
    """Background ticks every ``BASE_TICK_SECONDS / speed`` seconds; speed 0 means no background clock."""

    def __init__(self, app: App):
        super().__init__(name="chorus-sandbox-clock", daemon=True)
        self.app = app
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            speed = self.app.config.clock_speed
            if speed <= 0:
                self._stop_event.wait(0.5)
                continue
            if self._stop_event.wait(assumptions.BASE_TICK_SECONDS / speed):
                break
            if self.app.config.clock_speed > 0:
                try:
                    tick(self.app)
                except Exception:  # noqa: BLE001 — a failed tick must not stop the clock
                    log.exception("clock tick failed")

    def stop(self) -> None:
        self._stop_event.set()
