"""The common head of the two letters a company sends its buyer (the late-payment interest claim, the mémoire en
réclamation): the parties, place and date, cleaned as on the situation document. The letters are compiled to
PDF/A-3b by :func:`chorusbat.facturx.pdf_render.compile_typst`, with the same compiler and fonts; their data is
passed as JSON, never as markup."""

from __future__ import annotations

import datetime

from chorusbat.facturx.pdf_render import party_block, pdf_text, siret_text
from chorusbat.facturx.text import fr_date
from chorusbat.invoicing.services import buyer_party, supplier_party


def letter_head(company, market, supplier_role: str, buyer_role: str, today: datetime.date) -> dict:
    """The sender and the addressee, and « Ville, le … »."""
    supplier = party_block(supplier_role, supplier_party(company))
    supplier["siret"] = siret_text(company.siret)
    return {
        "supplier": supplier,
        "buyer": party_block(buyer_role, buyer_party(market)),
        "place_date": pdf_text(f"{company.city or ''}{', le ' if company.city else 'Le '}{fr_date(today)}"),
    }
