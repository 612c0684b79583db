"""The late-payment interest claim of one invoice: a one-page PDF/A-3b (:mod:`chorusbat.contracts.letters`) from
``facturx/templates/late_interest_claim.typ``, with the same compiler, fonts and text cleaning as the situation
document (:mod:`chorusbat.facturx.pdf_render`)."""

from __future__ import annotations

import datetime

from chorusbat.contracts.interest import InvoiceInterest
from chorusbat.contracts.letters import letter_head
from chorusbat.engine import limits
from chorusbat.facturx.pdf_render import TEMPLATE_DIR, compile_typst, pdf_text, wrappable
from chorusbat.facturx.text import fr_date, fr_money, fr_number

TEMPLATE = TEMPLATE_DIR / "late_interest_claim.typ"


def claim_data(row: InvoiceInterest, today: datetime.date | None = None) -> dict:
    today = today or datetime.date.today()
    s, result = row.situation, row.result
    company = s.company
    rate = fr_number(result.rate, 2)
    facts = [
        ("Facture", s.number),
        ("Date de la facture", fr_date(s.date)),
        ("Marché", s.market.number),
        ("Objet du marché", s.market.title),
        ("Montant payé (net à payer)", fr_money(result.principal)),
        (f"Date d'échéance (délai de paiement de {s.market.payment_delay_days} jours)", fr_date(row.due_date)),
        ("Date de mise en paiement (Chorus Pro)", fr_date(row.paid_on)),
        ("Jours de retard", str(result.days_late)),
        ("Taux BCE au premier jour du semestre", f"{fr_number(result.ecb_rate, 2)} %"),
        ("Taux des intérêts moratoires (BCE + 8 points)", f"{rate} %"),
    ]
    amounts = [
        ("Intérêts moratoires", fr_money(result.interest), False),
        ("Indemnité forfaitaire pour frais de recouvrement", fr_money(result.indemnity), False),
        ("Total réclamé", fr_money(result.total), True),
    ]
    return {
        "title": pdf_text(f"Demande de paiement des intérêts moratoires — facture n° {s.number}"),
        **letter_head(company, s.market, "Créancier (titulaire du marché)", "Acheteur", today),
        "subject": wrappable(f"Objet : intérêts moratoires et indemnité forfaitaire dus pour le paiement tardif de "
                             f"la facture n° {s.number} du {fr_date(s.date)}, marché n° {s.market.number}."),
        "body": wrappable(
            f"La facture ci-dessous, d'un montant de {fr_money(result.principal)}, était payable au plus tard le "
            f"{fr_date(row.due_date)}. Sa mise en paiement n'est intervenue que le {fr_date(row.paid_on)}, soit "
            f"{result.days_late} jour{'s' if result.days_late > 1 else ''} de retard. En application des articles "
            f"R2192-31 et suivants du code de la commande publique, nous vous demandons le paiement des intérêts "
            f"moratoires et de l'indemnité forfaitaire pour frais de recouvrement ci-dessous."),
        "facts": [(pdf_text(name), wrappable(value)) for name, value in facts],
        "amounts": [(pdf_text(name), pdf_text(value), strong) for name, value, strong in amounts],
        "method": pdf_text(
            f"Calcul : montant payé × {rate} % × {result.days_late} / {limits.INTEREST_DAY_BASIS}, arrondi au "
            f"centime le plus proche (demi-centime arrondi au centime supérieur). Le taux est celui de la BCE "
            f"en vigueur au premier jour du semestre au cours duquel les intérêts ont commencé à courir, majoré de "
            f"huit points. Les intérêts courent du lendemain de l'échéance jusqu'à la date de mise en paiement "
            f"incluse."),
        "closing": pdf_text("Nous vous prions d'agréer nos salutations distinguées."),
    }


def render_claim(row: InvoiceInterest, today: datetime.date | None = None) -> bytes:
    """The claim PDF of a late invoice whose interest is computed (``row.result`` is set and late)."""
    if row.result is None or not row.result.is_late:
        raise ValueError("not a late invoice with computed interest")
    return compile_typst(TEMPLATE, claim_data(row, today))
