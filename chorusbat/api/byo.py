"""Bring your own invoice: a Factur-X PDF produced elsewhere, checked by the same gate, then transmitted (A1 flux).

The gate is :mod:`chorusbat.facturx.gate` run on the uploaded PDF: PDF/A-3B and the ``factur-x.xml``
attachment, the Factur-X EN 16931 XSD, the EN 16931 and French CTC schematrons (with the same waived rules). Its
own consistency step compares the XML with a chorusbat situation; an uploaded invoice has none, so that step is
replaced by the checks Chorus Pro routing needs: the seller is the API key's company (its SIRET), the buyer has a
SIRET, the invoice identifier fits chorusbat's rules and is not already used in the company.

An accepted invoice gets a validated ``Situation`` of its own (in a market of its own), whose ready
``InvoiceDocument`` is the uploaded bytes: the gateway transmits and follows it exactly like a situation.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from chorusbat.api.models import ImportedInvoice
from chorusbat.api.services import InputError
from chorusbat.facturx.gate import ValidationReport, _pdf_xml, parse_xml, standard_issues
from chorusbat.facturx.schematron import Issue
from chorusbat.facturx.xml_builder import NSMAP
from chorusbat.gateway.services import send
from chorusbat.invoicing.models import DocumentStatus, InvoiceDocument, sha256_hex
from chorusbat.invoicing.services import report_as_json
from chorusbat.markets.models import Framework, Market
from chorusbat.situations import numbering
from chorusbat.situations.models import Situation, Status

MAX_BYTES = 10 * 1024 * 1024
MIN_DATE, MAX_DATE = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)  # chorusbat's bounds on dates
MAX_AMOUNT = Decimal("999999999999.99")  # and on amounts
AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
SUMMATION = ("rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
             "ram:SpecifiedTradeSettlementHeaderMonetarySummation")


class AlreadyImported(Exception):
    def __init__(self, invoice: ImportedInvoice | None, number: str):
        self.invoice, self.number = invoice, number


def _text(root, path: str) -> str:
    found = root.find(path, NSMAP)
    return (found.text or "").strip() if found is not None else ""


def _amount(root, path: str) -> Decimal | None:
    try:
        value = Decimal(_text(root, path))
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or abs(value) > MAX_AMOUNT:
        return None
    return value.quantize(Decimal("0.01"))


def _siret(party) -> str:
    if party is None:
        return ""
    for path in ("ram:SpecifiedLegalOrganization/ram:ID", "ram:URIUniversalCommunication/ram:URIID", "ram:GlobalID"):
        for element in party.findall(path, NSMAP):
            value = (element.text or "").strip()
            if element.get("schemeID") in ("0009", "SIRET", None) and len(value) == 14 and value.isdigit():
                return value
    return ""


def read_invoice(root) -> dict:
    agreement = root.find(AGREEMENT, NSMAP)
    seller = agreement.find("ram:SellerTradeParty", NSMAP) if agreement is not None else None
    buyer = agreement.find("ram:BuyerTradeParty", NSMAP) if agreement is not None else None
    raw_date = _text(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString")
    try:
        issue_date = datetime.datetime.strptime(raw_date, "%Y%m%d").date()
    except ValueError:
        issue_date = None
    return {
        "number": _text(root, "rsm:ExchangedDocument/ram:ID"),
        "issue_date": issue_date,
        "seller_siret": _siret(seller),
        "buyer_siret": _siret(buyer),
        "buyer_name": _text(buyer, "ram:Name") if buyer is not None else "",
        "service_code": _text(agreement, "ram:BuyerReference") if agreement is not None else "",
        "contract_reference": _text(agreement, "ram:ContractReferencedDocument/ram:IssuerAssignedID")
        if agreement is not None else "",
        "order_reference": _text(agreement, "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID")
        if agreement is not None else "",
        "currency": _text(root, "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
                                "ram:InvoiceCurrencyCode") or "EUR",
        "total_ht": _amount(root, f"{SUMMATION}/ram:TaxBasisTotalAmount"),
        "total_ttc": _amount(root, f"{SUMMATION}/ram:GrandTotalAmount"),
        "amount_due": _amount(root, f"{SUMMATION}/ram:DuePayableAmount"),
    }


def _routing_issues(facts: dict, company) -> list[Issue]:
    issues = []

    def add(rule, text, value=""):
        issues.append(Issue("chorusbat", rule, text, value=value))

    if not facts["number"]:
        add("CHORUSBAT-BT-1", _("The invoice has no identifier (BT-1)."))
    else:
        for error in numbering.format_errors(facts["number"]):
            add("CHORUSBAT-BT-1", error, facts["number"])
    if facts["issue_date"] is None:
        add("CHORUSBAT-BT-2", _("The invoice date (BT-2) is missing or not in the YYYYMMDD format."))
    elif not MIN_DATE <= facts["issue_date"] <= MAX_DATE:
        add("CHORUSBAT-BT-2", _("The invoice date (BT-2) must be between 2000 and 2100."),
            facts["issue_date"].isoformat())
    if facts["seller_siret"] != company.siret:
        add("CHORUSBAT-SELLER", _("The seller's SIRET (BT-30) must be your company's, %(siret)s.")
            % {"siret": company.siret}, facts["seller_siret"])
    if not facts["buyer_siret"]:
        add("CHORUSBAT-BUYER", _("The buyer's SIRET (BT-47, scheme 0009) is missing: Chorus Pro routes invoices "
                                 "by it."))
    if facts["currency"] != "EUR":
        add("CHORUSBAT-CURRENCY", _("Chorus Pro invoices are in euros (BT-5)."), facts["currency"])
    if facts["total_ttc"] is None or facts["amount_due"] is None:
        add("CHORUSBAT-TOTALS", _("The totals (BT-112, BT-115) are missing or unreadable."))
    return issues


def check(pdf: bytes, company) -> tuple[ValidationReport, bytes | None, dict]:
    """The gate on an uploaded PDF: (report, embedded XML, what was read from it)."""
    checks = ["PDF/A-3B et pièce jointe factur-x.xml"]
    if not pdf.startswith(b"%PDF"):
        issue = Issue("PDF", "PDF-READ", _("The file is not a PDF."))
        return ValidationReport((issue,), (), tuple(checks)), None, {}
    xml, issues = _pdf_xml(pdf)
    if xml is None:
        return ValidationReport(tuple(issues), (), tuple(checks)), None, {}
    try:
        root = parse_xml(xml)
    except etree.XMLSyntaxError as error:
        issues.append(Issue("XML", "XML-WELLFORMED", str(error)))
        return ValidationReport(tuple(issues), (), tuple(checks + ["XML"])), None, {}
    standard, waived, standard_checks = standard_issues(xml, root)  # the same standards as chorusbat's own
    issues += standard
    checks += standard_checks
    facts = read_invoice(root)
    issues += _routing_issues(facts, company)
    checks.append("routage Chorus Pro")
    return ValidationReport(tuple(issues), tuple(waived), tuple(checks)), xml, facts


def rule_errors(report: ValidationReport) -> list[dict]:
    return [{"pointer": "/file", "rule": issue.rule,
             "detail": f"{issue.rule} : {issue.text}" + (f" (valeur : {issue.value})" if issue.value else "")}
            for issue in report.issues]


def import_invoice(company, pdf: bytes, file_name: str = "", api_key=None) -> ImportedInvoice:
    """Check an uploaded Factur-X; when it passes, record it and queue its transmission to Chorus Pro."""
    report, xml, facts = check(pdf, company)
    if not report.ok:
        raise InputError(rule_errors(report), detail=_(
            "The Factur-X invoice failed %(count)d check(s) of the validation gate; nothing was sent.")
            % {"count": len(report.issues)})
    number = facts["number"]
    try:
        return _record_and_send(company, pdf, xml, facts, report, file_name, api_key)
    except IntegrityError:  # a concurrent upload of the same number, or a bound of the database
        if Situation.objects.filter(company=company, number=number).exists():
            raise AlreadyImported(ImportedInvoice.objects.filter(company=company, number=number).first(),
                                  number) from None
        raise InputError([{"pointer": "/file", "detail": _(
            "The invoice's dates or amounts are outside what chorusbat can record.")}]) from None


def _record_and_send(company, pdf, xml, facts, report, file_name, api_key) -> ImportedInvoice:
    number = facts["number"]
    with transaction.atomic():
        if Situation.objects.select_for_update().filter(company=company, number=number).exists():
            raise AlreadyImported(ImportedInvoice.objects.filter(company=company, number=number).first(), number)
        issue_date = facts["issue_date"]
        market = Market.objects.create(
            company=company, title=(_("Imported invoice %(number)s") % {"number": number})[:200],
            buyer_name=(facts["buyer_name"] or facts["buyer_siret"])[:200], buyer_siret=facts["buyer_siret"],
            buyer_service_code=facts["service_code"][:100], number=f"API-{number}"[:50],
            engagement=facts["order_reference"][:50], framework=Framework.A1, start_date=issue_date,
            duration_months=1,
        )
        situation = Situation(
            company=company, market=market, number=number, period=issue_date.replace(day=1), date=issue_date,
            status=Status.VALIDATED, validated_at=timezone.now(), cumulative_ht=facts["total_ht"],
            ttc_amount=facts["total_ttc"], net_amount=facts["amount_due"],
        )
        situation._api_imported = True  # not a chorusbat situation: no situation.validated webhook
        situation.save()
        InvoiceDocument.objects.create(
            situation=situation, status=DocumentStatus.READY, pdf=pdf, xml=xml, sha256=sha256_hex(pdf),
            xml_sha256=sha256_hex(xml), report=report_as_json(report),
        )
        invoice = ImportedInvoice.objects.create(
            company=company, situation=situation, api_key=api_key, number=number, issue_date=issue_date,
            buyer_name=facts["buyer_name"][:200], buyer_siret=facts["buyer_siret"],
            service_code=facts["service_code"][:100], contract_reference=facts["contract_reference"][:100],
            order_reference=facts["order_reference"][:100], currency=facts["currency"][:3],
            total_ht=facts["total_ht"], total_ttc=facts["total_ttc"], amount_due=facts["amount_due"],
            file_name=file_name[:255], sha256=sha256_hex(pdf),
        )
    send([situation])
    return invoice
