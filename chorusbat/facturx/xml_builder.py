"""The UN/CEFACT CII XML (D16B, Factur-X profile EN 16931) of one situation.

Built with lxml, element by element, in the order the Factur-X EN 16931 XSD requires — reading this file
top-down gives the layout of the document. Business terms (BT-x) are named in comments; the mapping to
Chorus Pro is ``works-billing-background.md`` §19. Text goes through :func:`clean_text`; lxml escapes it.

Identification choices:
- SIRET with scheme ``0009`` for both parties (BT-30, BT-47), as Chorus Pro identifies parties by SIRET
  (``0002`` would be the SIREN). The issue text said 0002; the reference documents win.
- The electronic addresses BT-34 / BT-49 carry the same SIRET with EAS scheme ``0009``, the identifier
  Chorus Pro's own routing uses; the French CTC rules require both addresses to be present.
- BT-23 carries the Chorus Pro billing framework of the market (``A1``…); whether Chorus reads it there is
  unconfirmed, and EN 16931 leaves BT-23 free.
"""

from __future__ import annotations

from lxml import etree

from chorusbat.facturx.french_messages import message
from chorusbat.facturx.invoice_model import InvoiceData, Party
from chorusbat.facturx.mapping import (
    deduction_items,
    due_date,
    final_note,
    invoice_lines,
    totals,
    type_code,
    vat_breakdowns,
)
from chorusbat.facturx.text import clean_text, fr_date, fr_money, xml_amount, xml_date, xml_rate

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "qdt": QDT, "udt": UDT}

GUIDELINE_EN16931 = "urn:cen.eu:en16931:2017"
SCHEME_SIRET = "0009"
PAYMENT_MEANS_SEPA_TRANSFER = "58"
UNIT_ONE = "C62"
TYPE_SUPPORTING_DOCUMENT = "916"  # UNTDID 1001 "related document": BG-24 additional supporting documents


def _el(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    """Append ``prefix:name`` to ``parent``, with optional text and attributes."""
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _date(parent: etree._Element, tag: str, value, qualified: bool = False) -> None:
    holder = _el(parent, tag)
    _el(holder, "qdt:DateTimeString" if qualified else "udt:DateTimeString", xml_date(value), format="102")


def _note(parent: etree._Element, content: str, subject_code: str) -> None:
    note = _el(parent, "ram:IncludedNote")
    _el(note, "ram:Content", clean_text(content))
    _el(note, "ram:SubjectCode", subject_code)


def _party(parent: etree._Element, tag: str, party: Party) -> None:
    element = _el(parent, tag)
    _el(element, "ram:Name", clean_text(party.name))
    legal = _el(element, "ram:SpecifiedLegalOrganization")
    _el(legal, "ram:ID", clean_text(party.siret), schemeID=SCHEME_SIRET)  # BT-30 / BT-47
    address = _el(element, "ram:PostalTradeAddress")
    for child, value in (("ram:PostcodeCode", party.address.postcode), ("ram:LineOne", party.address.line1),
                         ("ram:LineTwo", party.address.line2), ("ram:CityName", party.address.city)):
        if clean_text(value):
            _el(address, child, clean_text(value))
    _el(address, "ram:CountryID", clean_text(party.address.country_code) or "FR")
    uri = _el(element, "ram:URIUniversalCommunication")
    _el(uri, "ram:URIID", clean_text(party.siret), schemeID=SCHEME_SIRET)  # BT-34 / BT-49
    if clean_text(party.vat_number):
        registration = _el(element, "ram:SpecifiedTaxRegistration")
        _el(registration, "ram:ID", clean_text(party.vat_number), schemeID="VA")  # BT-31 / BT-48


def _header_notes(document: etree._Element, data: InvoiceData) -> None:
    """BG-1 notes: the legal late-payment mentions (PMD, PMT), no discount (AAB), deductions, reverse charge."""
    _note(document, message("note_late_penalties", rate=data.late_payment_rate), "PMD")
    _note(document, message("note_recovery_indemnity", amount=fr_money(data.recovery_indemnity)), "PMT")
    _note(document, message("note_no_discount"), "AAB")
    items = deduction_items(data)
    if items:
        _note(document, message("note_deductions", items=" ; ".join(items), net=fr_money(data.net)), "AAI")
    if data.reverse_charge:
        _note(document, message("note_reverse_charge"), "TXD")
    if data.final_recap is not None:  # BT-22: this invoice is the market's projet de décompte final
        _note(document, final_note(data), "AAI")


def _lines(transaction: etree._Element, data: InvoiceData) -> None:
    for line in invoice_lines(data):
        item = _el(transaction, "ram:IncludedSupplyChainTradeLineItem")
        _el(_el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", line.line_id)
        product = _el(item, "ram:SpecifiedTradeProduct")
        _el(product, "ram:SellerAssignedID", clean_text(line.seller_id))  # BT-155
        _el(product, "ram:Name", clean_text(line.name) or clean_text(line.seller_id))  # BT-153
        _el(product, "ram:Description", clean_text(line.description))  # BT-154
        price = _el(_el(item, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice")
        _el(price, "ram:ChargeAmount", xml_amount(abs(line.amount)))  # BT-146, never negative
        quantity = "-1" if line.amount < 0 else "1"
        _el(_el(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", quantity, unitCode=UNIT_ONE)
        settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:TypeCode", "VAT")
        _el(tax, "ram:CategoryCode", line.vat_category)  # BT-151
        _el(tax, "ram:RateApplicablePercent", xml_rate(line.vat_rate))  # BT-152
        summation = _el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
        _el(summation, "ram:LineTotalAmount", xml_amount(line.amount))  # BT-131


def _agreement(transaction: etree._Element, data: InvoiceData) -> None:
    agreement = _el(transaction, "ram:ApplicableHeaderTradeAgreement")
    if clean_text(data.service_code):
        _el(agreement, "ram:BuyerReference", clean_text(data.service_code))  # BT-10
    _party(agreement, "ram:SellerTradeParty", data.supplier)
    _party(agreement, "ram:BuyerTradeParty", data.buyer)
    if clean_text(data.engagement):
        order = _el(agreement, "ram:BuyerOrderReferencedDocument")
        _el(order, "ram:IssuerAssignedID", clean_text(data.engagement))  # BT-13
    contract = _el(agreement, "ram:ContractReferencedDocument")
    _el(contract, "ram:IssuerAssignedID", clean_text(data.market_number))  # BT-12
    # BG-24: each supporting document by its file name (BT-122); the file itself is embedded in the PDF
    # (AFRelationship Supplement), not repeated here in BT-125. No BT-123: EN 16931 allows one Name with type 916
    # per invoice (CII-SR-475) and the French CTC rules restrict it to a code list (BR-FR-17); the description is
    # the embedded file's /Desc and is printed on the PDF.
    for attachment in data.attachments:
        additional = _el(agreement, "ram:AdditionalReferencedDocument")
        _el(additional, "ram:IssuerAssignedID", clean_text(attachment.name))  # BT-122
        _el(additional, "ram:TypeCode", TYPE_SUPPORTING_DOCUMENT)


def _delivery(transaction: etree._Element, data: InvoiceData) -> None:
    delivery = _el(transaction, "ram:ApplicableHeaderTradeDelivery")
    event = _el(delivery, "ram:ActualDeliverySupplyChainEvent")
    _date(event, "ram:OccurrenceDateTime", data.issue_date)  # BT-72: works measured at the situation date


def _settlement(transaction: etree._Element, data: InvoiceData) -> None:
    settlement = _el(transaction, "ram:ApplicableHeaderTradeSettlement")
    _el(settlement, "ram:PaymentReference", clean_text(data.invoice_number))  # BT-83
    _el(settlement, "ram:InvoiceCurrencyCode", data.currency)  # BT-5
    if not data.is_credit_note:
        means = _el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _el(means, "ram:TypeCode", PAYMENT_MEANS_SEPA_TRANSFER)  # BT-81, required in practice by Chorus Pro
        account = _el(means, "ram:PayeePartyCreditorFinancialAccount")
        _el(account, "ram:IBANID", clean_text(data.iban).replace(" ", ""))  # BT-84
        if clean_text(data.bic):
            institution = _el(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
            _el(institution, "ram:BICID", clean_text(data.bic).replace(" ", ""))  # BT-86
    for breakdown in vat_breakdowns(data):
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:CalculatedAmount", xml_amount(breakdown.vat))  # BT-117
        _el(tax, "ram:TypeCode", "VAT")
        if breakdown.exemption_reason:
            _el(tax, "ram:ExemptionReason", clean_text(breakdown.exemption_reason))  # BT-120
        _el(tax, "ram:BasisAmount", xml_amount(breakdown.base))  # BT-116
        _el(tax, "ram:CategoryCode", breakdown.category)  # BT-118
        _el(tax, "ram:RateApplicablePercent", xml_rate(breakdown.rate))  # BT-119
    terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
    due = due_date(data)
    if data.is_credit_note:
        _el(terms, "ram:Description", clean_text(message("payment_terms_credit_note",
                                                          original=data.original_invoice_number)))
    else:
        _el(terms, "ram:Description", message("payment_terms", days=data.payment_delay_days,
                                              due_date=fr_date(due)))  # BT-20
        _date(terms, "ram:DueDateDateTime", due)  # BT-9
    figures = totals(data)
    summation = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(summation, "ram:LineTotalAmount", xml_amount(figures.line_total))  # BT-106
    _el(summation, "ram:TaxBasisTotalAmount", xml_amount(figures.tax_basis))  # BT-109
    _el(summation, "ram:TaxTotalAmount", xml_amount(figures.tax_total), currencyID=data.currency)  # BT-110
    _el(summation, "ram:GrandTotalAmount", xml_amount(figures.grand_total))  # BT-112
    _el(summation, "ram:TotalPrepaidAmount", xml_amount(figures.paid))  # BT-113
    _el(summation, "ram:DuePayableAmount", xml_amount(figures.due))  # BT-115
    if data.is_credit_note:
        reference = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(reference, "ram:IssuerAssignedID", clean_text(data.original_invoice_number))  # BT-25
        _date(reference, "ram:FormattedIssueDateTime", data.original_invoice_date, qualified=True)  # BT-26


def build_xml_tree(data: InvoiceData) -> etree._Element:
    """Return the ``rsm:CrossIndustryInvoice`` element of ``data``."""
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, "rsm:ExchangedDocumentContext")
    if clean_text(data.framework):
        _el(_el(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"), "ram:ID",
            clean_text(data.framework))  # BT-23
    _el(_el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINE_EN16931)  # BT-24

    document = _el(root, "rsm:ExchangedDocument")
    _el(document, "ram:ID", clean_text(data.invoice_number))  # BT-1
    _el(document, "ram:TypeCode", type_code(data))  # BT-3
    _date(document, "ram:IssueDateTime", data.issue_date)  # BT-2
    _header_notes(document, data)

    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    _lines(transaction, data)
    _agreement(transaction, data)
    _delivery(transaction, data)
    _settlement(transaction, data)
    return root


def build_xml(data: InvoiceData) -> bytes:
    """Return the Factur-X XML of ``data`` as UTF-8 bytes (with an XML declaration, without BOM)."""
    return etree.tostring(build_xml_tree(data), xml_declaration=True, encoding="UTF-8", pretty_print=True)
