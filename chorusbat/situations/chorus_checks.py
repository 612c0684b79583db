"""The business checks Chorus Pro applies to a deposited invoice, run *before* a situation is validated.

The Factur-X gate (:mod:`chorusbat.facturx.gate`) proves that a document is well formed (XSD, schematrons,
consistency with the situation); it does not know what Chorus Pro itself refuses. These checks are the ones the
platform applies to the amounts and references of a payment request (reference §18.8, the rules the sandbox
implements in its ``rules.py``), applied to the invoice exactly as it would be written (signed amounts of
:mod:`chorusbat.facturx.mapping`), plus the rules of ``situation-rules.md`` §5 on how e, c, f and g appear in it
(BT-113 = c + f + g − e, BT-115 = net).

:func:`check` is pure (no database, no network). Each problem is a :class:`Problem` with a French message that says
what to change, and the form field it belongs to when there is one.

The invoice of a situation (:class:`InvoiceData`) is built by invoicing, which sits above situations: invoicing
hands its builder over when the app registry is ready (:func:`use_invoice_builder`, from ``InvoicingConfig.ready``),
so that situations checks the very invoice that will be written without importing invoicing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from chorusbat.facturx.invoice_model import InvoiceData
from chorusbat.facturx.mapping import invoice_lines, totals, vat_breakdowns
from chorusbat.facturx.text import fr_money
from chorusbat.markets import buyer_checks

CENT = Decimal("0.01")
MAX_EJ_LENGTH = 50
MAX_NUMBER_LENGTH = 20
VALIDATOR_FRAMEWORKS = ("A4", "A10", "A13")


#: The invoice builder handed over by invoicing, and the exception it raises when the invoice cannot be written
#: (its message: French lines for the user). Set once, by ``InvoicingConfig.ready``.
_builder: dict[str, object] = {}


def use_invoice_builder(build: Callable[[object], InvoiceData], unavailable: type[Exception]) -> None:
    """How a situation's invoice is built (``build(situation)``, raising ``unavailable`` when it cannot be)."""
    _builder.update(build=build, unavailable=unavailable)


@dataclass(frozen=True)
class Problem:
    """Something Chorus Pro would refuse; ``field`` is the situation form field to change (or ``""``)."""

    message: str
    field: str = ""


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def check(data: InvoiceData, today: datetime.date) -> list[Problem]:
    """Every reason Chorus Pro would refuse this invoice (empty: it would accept it)."""
    problems: list[Problem] = []
    problems += _references(data, today)
    problems += _amount_due(data)
    problems += _totals(data)
    return problems


def _missing_validator(framework: str) -> Problem:
    return Problem(_("Framework %(framework)s requires the validator (project manager) and their SIRET: fill them "
                     "in on the market.") % {"framework": framework})


def _references(data: InvoiceData, today: datetime.date) -> list[Problem]:
    problems = []
    if not data.invoice_number:
        problems.append(Problem(_("The invoice has no number: enter its invoice identifier."), "number"))
    elif len(data.invoice_number) > MAX_NUMBER_LENGTH:
        problems.append(Problem(_("The invoice identifier is longer than %(n)d characters, which Chorus Pro "
                                  "refuses: shorten it.") % {"n": MAX_NUMBER_LENGTH}, "number"))
    if data.issue_date > today:
        problems.append(Problem(_("The invoice date (%(date)s) is in the future, which Chorus Pro refuses: date it "
                                  "today or earlier.") % {"date": data.issue_date.strftime("%d/%m/%Y")}, "date"))
    if data.engagement and len(data.engagement) > MAX_EJ_LENGTH:
        problems.append(Problem(_("The legal commitment number (EJ) is longer than 50 characters: correct it on "
                                  "the market.")))
    # The validator of a works piece: the MOE named in the invoice for an A4; for an A10/A13 the validator is
    # named in the deposit, not in the invoice (gateway/routes.py), and checked from the market below.
    if data.framework == "A4" and not (data.moe and data.moe.siret):
        problems.append(_missing_validator(data.framework))
    if data.is_credit_note and not data.original_invoice_number:
        problems.append(Problem(_("This situation is a credit note (negative amount incl. VAT): Chorus Pro needs "
                                  "the invoice it corrects, and there is no earlier situation.")))
    return problems


def _amount_due(data: InvoiceData) -> list[Problem]:
    """§5: BT-113 = c + f + g − e, BT-115 = net; Chorus Pro refuses an amount due above the total incl. VAT."""
    figures = totals(data)
    problems = []
    if _cents(figures.grand_total - figures.paid) != _cents(figures.due):
        problems.append(Problem(_("The net to pay (%(net)s) is not the amount incl. VAT minus the deductions: "
                                  "recompute the situation.") % {"net": fr_money(data.net)}))
    if _cents(figures.due) > _cents(figures.grand_total):
        deductions = data.c + data.f + data.g
        if data.e > 0:
            message = _(
                "The advance to pay (e = %(e)s) is larger than the deductions of this situation (penalties, advance "
                "recovered and retention: c + f + g = %(deductions)s): the net to pay (%(net)s) would exceed the "
                "amount incl. VAT (%(ttc)s), which Chorus Pro refuses. Lower the advance to pay to %(deductions)s "
                "at most, or ask for the advance with a separate advance invoice."
            ) % {"e": fr_money(data.e), "deductions": fr_money(deductions), "net": fr_money(data.net),
                 "ttc": fr_money(data.ttc)}
            problems.append(Problem(message, "advance_paid"))
        else:
            problems.append(Problem(_("The net to pay (%(net)s) would exceed the amount incl. VAT (%(ttc)s), which "
                                      "Chorus Pro refuses: check the penalties and the advance.")
                                    % {"net": fr_money(data.net), "ttc": fr_money(data.ttc)}))
    return problems


def _totals(data: InvoiceData) -> list[Problem]:
    """Lines vs VAT breakdown vs totals, excl. VAT + VAT = incl. VAT, to the cent (§18.8)."""
    figures = totals(data)
    lines_ht = _cents(sum((line.amount for line in invoice_lines(data)), Decimal("0")))
    vat = vat_breakdowns(data)
    wrong = []
    if lines_ht != _cents(figures.tax_basis):
        wrong.append(_("sum of the lines %(lines)s ≠ total excl. VAT %(ht)s")
                     % {"lines": fr_money(lines_ht), "ht": fr_money(figures.tax_basis)})
    if vat:
        bases = _cents(sum((v.base for v in vat), Decimal("0")))
        amounts = _cents(sum((v.vat for v in vat), Decimal("0")))
        if bases != _cents(figures.tax_basis):
            wrong.append(_("VAT bases %(bases)s ≠ total excl. VAT %(ht)s")
                         % {"bases": fr_money(bases), "ht": fr_money(figures.tax_basis)})
        if amounts != _cents(figures.tax_total):
            wrong.append(_("VAT amounts %(vat)s ≠ total VAT %(total)s")
                         % {"vat": fr_money(amounts), "total": fr_money(figures.tax_total)})
        for v in vat:
            if abs(_cents(v.base * v.rate / 100) - v.vat) > CENT:
                wrong.append(_("VAT at %(rate)s %% on %(base)s ≠ %(vat)s")
                             % {"rate": v.rate, "base": fr_money(v.base), "vat": fr_money(v.vat)})
    if _cents(figures.tax_basis + figures.tax_total) != _cents(figures.grand_total):
        wrong.append(_("excl. VAT + VAT ≠ incl. VAT"))
    if not wrong:
        return []
    return [Problem(_("The invoice totals are inconsistent (%(details)s), which Chorus Pro refuses: recompute the "
                      "situation.") % {"details": "; ".join(wrong)})]


def situation_problems(situation, today: datetime.date | None = None, *, with_buyer: bool = False) -> list[Problem]:
    """What Chorus Pro would refuse in this situation's invoice, as it stands (a draft's fresh figures).

    ``with_buyer``: also the buyer's routing rules as Chorus Pro's directory gives them (service code, EJ, active
    buyer; one cached lookup). Skipped when Chorus Pro cannot be asked: that is no reason to refuse."""
    if not _builder:  # never check nothing: an unconnected builder is a configuration error
        raise RuntimeError("No invoice builder: the invoicing app must be installed (InvoicingConfig.ready).")
    try:
        data = _builder["build"](situation)
    except _builder["unavailable"] as error:
        return [Problem(text) for text in str(error).splitlines() if text.strip()]
    problems = check(data, today or timezone.localdate())
    market = situation.market
    if market.framework in VALIDATOR_FRAMEWORKS and market.framework != "A4" and not market.validator_siret:
        problems.append(_missing_validator(market.framework))
    if with_buyer:
        problems += buyer_problems(situation.market)
    return problems


def buyer_problems(market) -> list[Problem]:
    """The buyer's routing rules Chorus Pro would enforce, from its directory (empty when it cannot be asked)."""
    lookup = buyer_checks.checked_lookup(market.company, market.buyer_siret)
    if lookup.error or lookup.info is None:
        return []
    errors = buyer_checks.buyer_errors(lookup.info, market.buyer_service_code, market.engagement, market.framework)
    return [Problem(_("Buyer of the market: %(problem)s Correct the market before validating.") % {"problem": text})
            for messages in errors.values() for text in messages]
