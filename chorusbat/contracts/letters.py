"""The two letters a company sends its buyer (the late-payment interest claim, the mémoire en réclamation): their
common head (the parties, place and date) and their compilation to PDF/A-3b by Typst, with the same compiler, fonts
and text cleaning as the situation document (:mod:`chorusbat.facturx.pdf_render`). Data is passed as JSON, never
as markup."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from chorusbat.facturx.pdf_render import _compiler, _party, pdf_text, siret_text
from chorusbat.facturx.text import fr_date
from chorusbat.invoicing.services import _buyer, _supplier


def letter_head(company, market, supplier_role: str, buyer_role: str, today: datetime.date) -> dict:
    """The sender and the addressee, and « Ville, le … »."""
    supplier = _party(supplier_role, _supplier(company))
    supplier["siret"] = siret_text(company.siret)
    return {
        "supplier": supplier,
        "buyer": _party(buyer_role, _buyer(market)),
        "place_date": pdf_text(f"{company.city or ''}{', le ' if company.city else 'Le '}{fr_date(today)}"),
    }


def compile_letter(template: Path, data: dict) -> bytes:
    payload = json.dumps(data, ensure_ascii=False)
    compiler = _compiler()
    with compiler.lock:
        return compiler.compiler.compile(input=str(template), format="pdf", sys_inputs={"data": payload},
                                         pdf_standards=["a-3b"], pdf_tags=False)
