"""From a situation to invoice figures — ``situation-rules.md`` §5, in one place.

The XML builder, the PDF and the validation gate's consistency checks all call these functions, so the
figures can only differ if the XML itself was altered.

A credit note (``ttc < 0``) carries its amounts as positive numbers, as EN 16931 expects: every amount is
multiplied by :func:`sign`, and a line that goes the other way gets a negative quantity (prices are never
negative in EN 16931, BR-27).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from chorusbat.facturx.french_messages import message
from chorusbat.facturx.invoice_model import InvoiceData
from chorusbat.facturx.text import fr_money, fr_number

TYPE_CODE_INVOICE = "380"
TYPE_CODE_CREDIT_NOTE = "381"


@dataclass(frozen=True)
class InvoiceLine:
    """One EN 16931 invoice line (BG-25): net amount, VAT category and rate, and its texts."""

    line_id: str
    seller_id: str
    name: str
    description: str
    amount: Decimal
    vat_category: str
    vat_rate: Decimal


@dataclass(frozen=True)
class VatBreakdown:
    """One EN 16931 VAT breakdown (BG-23)."""

    category: str
    rate: Decimal
    base: Decimal
    vat: Decimal
    exemption_reason: str = ""


@dataclass(frozen=True)
class Totals:
    """The document totals (BG-22), already signed for the document type."""

    line_total: Decimal  # BT-106
    tax_basis: Decimal  # BT-109
    tax_total: Decimal  # BT-110
    grand_total: Decimal  # BT-112
    paid: Decimal  # BT-113
    due: Decimal  # BT-115


def sign(data: InvoiceData) -> Decimal:
    """``-1`` for a credit note (its amounts are written positive), ``1`` for an invoice."""
    return Decimal(-1) if data.is_credit_note else Decimal(1)


def type_code(data: InvoiceData) -> str:
    return TYPE_CODE_CREDIT_NOTE if data.is_credit_note else TYPE_CODE_INVOICE


def vat_category(data: InvoiceData, rate: Decimal) -> str:
    """``AE`` (reverse charge) when the market says so, ``Z`` for a 0 % rate, ``S`` otherwise."""
    if data.reverse_charge:
        return "AE"
    return "Z" if rate == 0 else "S"


def _line_description(line) -> str:
    if line.kind == "forfait":
        return message("line_description_forfait", progress=fr_number(line.progress, None), unit=line.unit)
    return message("line_description_unitaire", progress=fr_number(line.progress, None), unit=line.unit,
                   price=fr_money(line.unit_price))


def invoice_lines(data: InvoiceData) -> list[InvoiceLine]:
    """§5: the contract lines with a non-zero period amount, then one revision line per rate with d[r] ≠ 0.

    EN 16931 requires at least one line (BR-16): a situation where nothing moved this period lists its
    contract lines at zero rather than producing an invalid document.
    """
    factor = sign(data)
    moved = [line for line in data.lines if line.period != 0]
    shown = moved or list(data.lines)
    result = [
        InvoiceLine(
            line_id=str(number),
            seller_id=line.ref,
            name=line.label,
            description=_line_description(line) if moved else message("line_no_progress"),
            amount=factor * line.period,
            vat_category=vat_category(data, line.vat_rate),
            vat_rate=line.vat_rate,
        )
        for number, line in enumerate(shown, start=1)
    ]
    coefficient = fr_number(data.coefficient, 3)
    for rate in data.by_rate:
        if rate.d != 0:
            result.append(
                InvoiceLine(
                    line_id=str(len(result) + 1),
                    seller_id=f"REVISION-{rate.rate}",
                    name=message("revision_line", coefficient=coefficient),
                    description=message("revision_line_description", rate=fr_number(rate.rate, None)),
                    amount=factor * rate.d,
                    vat_category=vat_category(data, rate.rate),
                    vat_rate=rate.rate,
                )
            )
    return result


def vat_breakdowns(data: InvoiceData) -> list[VatBreakdown]:
    """§5: per rate, base a[r] + d[r] and VAT b[r] — for every rate that carries an invoice line."""
    factor = sign(data)
    used_rates = {line.vat_rate for line in invoice_lines(data)}
    reason = message("note_reverse_charge") if data.reverse_charge else ""
    return [
        VatBreakdown(
            category=vat_category(data, rate.rate),
            rate=rate.rate,
            base=factor * rate.base,
            vat=factor * rate.b,
            exemption_reason=reason,
        )
        for rate in data.by_rate
        if rate.rate in used_rates
    ]


def totals(data: InvoiceData) -> Totals:
    """§5: totals without VAT a + d, with VAT ttc, BT-113 = c + f + g − e, BT-115 = net."""
    factor = sign(data)
    return Totals(
        line_total=factor * (data.a + data.d),
        tax_basis=factor * (data.a + data.d),
        tax_total=factor * data.b,
        grand_total=factor * data.ttc,
        paid=factor * data.paid_amount,
        due=factor * data.net,
    )


def deduction_items(data: InvoiceData) -> list[str]:
    """The deductions listed in the BT-22 note and on the PDF (penalties, advance, retention)."""
    items = [message("deduction_penalty", label=p.label, amount=fr_money(p.amount)) for p in data.penalties]
    if data.f != 0:
        items.append(message("deduction_advance_recovered", amount=fr_money(data.f)))
    if data.g != 0:
        items.append(message("deduction_retention", amount=fr_money(data.g)))
    if data.e != 0:
        items.append(message("deduction_advance_paid", amount=fr_money(data.e)))
    return items


def due_date(data: InvoiceData) -> date:
    """BT-9: the issue date plus the market's payment period."""
    return data.issue_date + timedelta(days=data.payment_delay_days)


def final_note(data: InvoiceData) -> str:
    """The BT-22 note of a projet de décompte final: what it is, and the market it closes (situation-rules.md §6)."""
    recap = data.final_recap
    return message(
        "note_final", market=data.market_number, initial=fr_money(recap.initial_ht),
        amendments=fr_money(recap.amendments_ht), current=fr_money(recap.current_ht),
        acomptes_ht=fr_money(recap.acomptes_ht), acomptes_ttc=fr_money(recap.acomptes_ttc),
        advance=fr_money(recap.advance_amount), advance_paid=fr_money(recap.advance_paid),
        advance_recovered=fr_money(recap.advance_recovered),
        retention=fr_money(recap.retention_held),
    )
