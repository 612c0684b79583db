"""Chorus Pro's business checks on a payment request, shared by ``soumettre``, ``deposer/flux`` and works.

Each entry point first turns its input (JSON of ``soumettre``, CII XML of a flux, works JSON) into a ``Draft``;
``check`` then applies the rules in the order of reference §18.8 and raises the first ``ApiError``.
Routing rules are those of §15.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import assumptions
from .core import ApiError, App, service_of

CENT = Decimal("0.01")
VAT_BY_CODE = {code: Decimal(value) for code, _, value in assumptions.VAT_RATES}


@dataclass
class Line:
    ht: Decimal
    rate: Decimal | None = None


@dataclass
class VatLine:
    base: Decimal
    amount: Decimal
    rate: Decimal | None = None


@dataclass
class Draft:
    """A payment request as the rules see it, whatever its origin."""

    supplier_siret: str | None = None
    supplier_id: int | None = None
    bank_account_id: int | None = None
    bank_account_required: bool = False
    recipient_siret: str | None = None
    service_code: str | None = None
    ej: str | None = None
    cadre: str = "A1_FACTURE_FOURNISSEUR"
    validator_siret: str | None = None
    numero: str | None = None
    numero_required: bool = True
    invoice_date: dt.date | None = None
    date_required: bool = True
    type_facture: str = "FACTURE"
    origin_number: str | None = None
    main_attachment_id: int | None = None
    main_attachment_required: bool = False
    attachment_ids: list[int] = field(default_factory=list)
    payment_means_required: bool = False
    payment_means: str | None = None
    lines: list[Line] = field(default_factory=list)
    vat: list[VatLine] = field(default_factory=list)
    ht_total: Decimal | None = None
    tva_total: Decimal | None = None
    ttc_total: Decimal | None = None
    allowances: Decimal = Decimal("0")
    charges: Decimal = Decimal("0")
    prepaid: Decimal = Decimal("0")
    global_discount: Decimal = Decimal("0")
    to_pay: Decimal | None = None
    exclude_invoice_id: int | None = None


@dataclass
class Resolved:
    """The structures a valid draft points to."""

    supplier: dict
    recipient: dict
    service: dict | None
    validator: dict | None


def check(app: App, own_sirets: list[str], draft: Draft, validator_frameworks: tuple[str, ...],
          works: bool = False) -> Resolved:
    """All rules, first failure raised. ``works``: the recipient may be an MOA-only structure (§15)."""
    supplier = _supplier(app, own_sirets, draft)
    _bank_account(supplier, draft)
    recipient = app.structure_by_siret(draft.recipient_siret)
    if recipient is None or not recipient["active"] or recipient["type"] != "PUBLIQUE":
        raise ApiError("RECIPIENT_NOT_FOUND")
    if recipient["flags"]["estMoaUniquement"] and not works:
        raise ApiError("MOA_ONLY")
    service = check_routing(recipient, draft.service_code, draft.ej, supplier_type=supplier["type"])
    validator = _validator(app, draft, validator_frameworks)
    _pdf_mode(app, draft)
    check_unique_number(app, supplier["id"], draft.numero, draft.exclude_invoice_id)
    check_totals(draft)
    if draft.type_facture == "AVOIR" and not draft.origin_number:
        raise ApiError("ORIGIN_MANDATORY")
    if draft.payment_means_required and not draft.payment_means:
        raise ApiError("PAYMENT_MEANS_MISSING")
    return Resolved(supplier, recipient, service, validator)


def _supplier(app: App, own_sirets: list[str], draft: Draft) -> dict:
    if draft.supplier_id is not None:
        supplier = app.structure(draft.supplier_id)
    else:
        supplier = app.structure_by_siret(draft.supplier_siret)
        if supplier is None:
            raise ApiError("UNKNOWN_SUPPLIER", siret=draft.supplier_siret or "")
    if supplier is None or supplier["siret"] not in own_sirets:
        raise ApiError("SUPPLIER_NOT_ATTACHED")
    if not supplier["active"]:
        raise ApiError("SUPPLIER_NOT_ATTACHED")
    return supplier


def _bank_account(supplier: dict, draft: Draft) -> None:
    valid_ids = {b["id"] for b in supplier.get("bank_accounts", []) if b["valid"]}
    if draft.bank_account_id is not None and draft.bank_account_id not in valid_ids:
        raise ApiError("BANK_ACCOUNT_INVALID")
    if draft.bank_account_required and draft.bank_account_id is None:
        raise ApiError("BANK_ACCOUNT_INVALID")


def check_routing(recipient: dict, service_code: str | None, ej: str | None,
                  supplier_type: str = "PRIVEE") -> dict | None:
    """Service code and EJ rules of a recipient (§15); returns the service used, if any."""
    flags = recipient["flags"]
    service = None
    if service_code:
        service = service_of(recipient, code=service_code)
        if service is None or not service["active"]:
            raise ApiError("SERVICE_INACTIVE")
        if service["code"] == "FACTURES_PUBLIQUES" and supplier_type == "PRIVEE":
            raise ApiError("SERVICE_RESERVED")
    if flags["codeServiceDoitEtreRenseigne"] and not service:
        raise ApiError("SERVICE_MANDATORY")
    if flags["numeroEJDoitEtreRenseigne"] and not ej:
        raise ApiError("EJ_MANDATORY")
    if flags["gestionNumeroEJOuCodeService"] and not service and not ej:
        raise ApiError("EJ_OR_SERVICE_MANDATORY")
    if service and service["ej_required"] and not ej:
        raise ApiError("EJ_MANDATORY")
    if ej and len(ej) > 50:
        raise ApiError("EJ_TOO_LONG")
    if ej and recipient["state"] and ej not in recipient.get("ejs", []):
        raise ApiError("EJ_UNKNOWN", ej=ej)
    return service


def _validator(app: App, draft: Draft, frameworks: tuple[str, ...]) -> dict | None:
    if draft.cadre not in frameworks:
        return None
    if not draft.validator_siret:
        raise ApiError("VALIDATOR_MANDATORY")
    validator = app.structure_by_siret(draft.validator_siret)
    if validator is None or not validator["active"]:
        raise ApiError("VALIDATOR_UNKNOWN")
    return validator


def _pdf_mode(app: App, draft: Draft) -> None:
    if draft.numero_required and not draft.numero:
        raise ApiError("INVOICE_NUMBER_MANDATORY")
    if draft.date_required and (draft.invoice_date is None or draft.invoice_date > app.today()):
        raise ApiError("INVOICE_DATE_INVALID")
    if draft.main_attachment_required and draft.main_attachment_id is None:
        raise ApiError("MISSING_FIELD", field="pieceJointePrincipale")
    for attachment_id in ([draft.main_attachment_id] if draft.main_attachment_id is not None else []) + list(
        draft.attachment_ids
    ):
        if app.store.get("attachment", attachment_id) is None:
            raise ApiError("ATTACHMENT_UNKNOWN", id=attachment_id)


def check_unique_number(app: App, supplier_id: int, numero: str | None, exclude_id: int | None = None) -> None:
    """An invoice number is unique per supplier, whatever the status of the earlier invoice (§10.1)."""
    if not numero:
        return
    for invoice in app.store.all("invoice"):
        if invoice["supplier_id"] == supplier_id and invoice["numeroFacture"] == numero and invoice["id"] != exclude_id:
            raise ApiError("DUPLICATE_NUMBER", numero=numero)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def check_totals(draft: Draft) -> None:
    """Lines vs VAT summary vs totals, HT + TVA = TTC to the cent (§18.8)."""

    def fail(detail: str) -> None:
        raise ApiError("TOTALS_INCONSISTENT", detail=detail)

    if draft.ht_total is None or draft.tva_total is None or draft.ttc_total is None:
        fail("montants totaux absents")
    if draft.lines:
        lines_ht = cents(sum((line.ht for line in draft.lines), Decimal("0")))
        if cents(lines_ht - draft.allowances + draft.charges) != cents(draft.ht_total):
            fail(f"somme des lignes {lines_ht} ≠ total HT {draft.ht_total}")
    if draft.vat:
        bases = cents(sum((v.base for v in draft.vat), Decimal("0")))
        amounts = cents(sum((v.amount for v in draft.vat), Decimal("0")))
        if bases != cents(draft.ht_total):
            fail(f"bases de TVA {bases} ≠ total HT {draft.ht_total}")
        if amounts != cents(draft.tva_total):
            fail(f"somme des montants de TVA {amounts} ≠ total TVA {draft.tva_total}")
        for vat in draft.vat:
            if vat.rate is not None and abs(cents(vat.base * vat.rate / 100) - vat.amount) > CENT:
                fail(f"TVA à {vat.rate} % sur {vat.base} ≠ {vat.amount}")
    if cents(draft.ht_total + draft.tva_total) != cents(draft.ttc_total):
        fail(f"HT {draft.ht_total} + TVA {draft.tva_total} ≠ TTC {draft.ttc_total}")
    if draft.to_pay is not None:
        expected = cents(draft.ttc_total - draft.prepaid - draft.global_discount)
        if draft.prepaid and cents(draft.to_pay) != expected:
            fail(f"net à payer {draft.to_pay} ≠ {expected}")
        if cents(draft.to_pay) > cents(draft.ttc_total):
            fail(f"net à payer {draft.to_pay} > TTC {draft.ttc_total}")
