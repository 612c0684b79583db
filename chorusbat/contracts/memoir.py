"""The mémoire en réclamation against a décompte général (CCAG-Travaux art. 12.4.3, 55.1): a PDF/A-3b draft
compiled by Typst from ``facturx/templates/closing_claim.typ``, with the same compiler, fonts and text cleaning as
the late-payment claim (:mod:`chorusbat.contracts.claim`). User text is passed as JSON data, never as markup."""

from __future__ import annotations

import datetime
from decimal import Decimal

from chorusbat.contracts.letters import letter_head
from chorusbat.facturx.pdf_render import TEMPLATE_DIR, compile_typst, pdf_text, wrappable
from chorusbat.facturx.text import fr_date, fr_money

TEMPLATE = TEMPLATE_DIR / "closing_claim.typ"


def memoir_data(view, today: datetime.date | None = None) -> dict:
    """``view``: a :class:`chorusbat.contracts.closing.Overview` whose answer is « with reserves »."""
    today = today or datetime.date.today()
    market, c = view.market, view.closing
    company = market.company
    heads = list(c.claim_heads.all())
    total = sum((h.amount for h in heads), Decimal("0.00"))
    facts = [
        ("Marché", market.number),
        ("Objet du marché", market.title),
        ("Réception des travaux", fr_date(c.reception_date) if c.reception_date else "—"),
        ("Décompte général notifié le", fr_date(c.dg_notified_on)),
        ("Montant du décompte général (TTC)", fr_money(c.dg_amount_ttc)),
    ]
    if c.dg_amount_ht is not None:
        facts.append(("Montant du décompte général (HT)", fr_money(c.dg_amount_ht)))
    if c.dg_reserves:
        facts.append(("Réserves de l'acheteur", c.dg_reserves))
    return {
        "title": pdf_text(f"Mémoire en réclamation — marché n° {market.number}"),
        **letter_head(company, market, "Titulaire du marché", "Maître de l'ouvrage", today),
        "subject": wrappable(f"Objet : réserves sur le décompte général du marché n° {market.number} notifié le "
                             f"{fr_date(c.dg_notified_on)} (CCAG-Travaux, articles 12.4.3 et 55.1)."),
        "body": wrappable(
            "Nous vous retournons le décompte général signé avec réserves et vous adressons, dans le délai de trente "
            "jours suivant sa notification, le présent mémoire en réclamation, dont copie est adressée au maître "
            "d'œuvre. Il expose les motifs de notre désaccord et, pour chaque chef de réclamation, le montant "
            "demandé et sa justification."),
        "facts": [(pdf_text(name), wrappable(value)) for name, value in facts],
        "grounds_title": pdf_text("Motifs du désaccord"),
        "grounds": wrappable(c.claim_grounds),
        "heads_title": pdf_text("Chefs de réclamation"),
        "heads_header": [pdf_text("N°"), pdf_text("Chef de réclamation et justification"),
                         pdf_text("Montant TTC")],
        "heads": [(str(i), wrappable(h.label), wrappable(h.justification), pdf_text(fr_money(h.amount)))
                  for i, h in enumerate(heads, start=1)],
        "total_label": pdf_text("Total réclamé"),
        "total": pdf_text(fr_money(total)),
        "note": pdf_text("Les réclamations antérieures non réglées sont reprises ci-dessus ; à défaut, elles seraient "
                         "réputées abandonnées. Le maître de l'ouvrage dispose de trente jours pour notifier sa "
                         "décision motivée ; son silence vaut rejet (article 55.1.3)."),
        "closing": pdf_text("Nous vous prions d'agréer nos salutations distinguées."),
    }


def render_memoir(view, today: datetime.date | None = None) -> bytes:
    return compile_typst(TEMPLATE, memoir_data(view, today))
