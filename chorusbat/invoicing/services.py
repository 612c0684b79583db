"""Situations → Factur-X documents: the invoice data, the stored ready document, the draft preview.

- :func:`invoice_data_for` copies a situation into :class:`~chorusbat.facturx.InvoiceData`. Every amount is the
  engine's, through :func:`chorusbat.situations.services.decompte` (the figures frozen at validation, or the
  engine's fresh ones for a draft); nothing is computed here.
- :func:`ready_document` produces the Factur-X of a *validated* situation once, through the validation gate of
  :func:`chorusbat.facturx.build_facturx`, and stores its exact bytes; later calls return the stored row after
  checking its SHA-256 digests. The bytes deposited in Chorus Pro are these bytes.
- :func:`refresh_document` is what the background task (:mod:`chorusbat.invoicing.tasks`) runs once a situation is
  validated: :func:`ready_document`, or, when the invoice data changed since the stored document was built and the
  situation is not being sent yet, a rebuild that replaces it. The situation page only reads what is stored
  (:func:`document_state`); it never builds a document.
- :func:`preview_pdf` is what the "Aperçu PDF" link shows: the stored document of a validated situation, or, for
  a draft, the readable PDF rendered on the fly and stamped « APERÇU — NON VALIDÉE » on every page (never stored,
  no XML inside: a draft is not an invoice).

Every failure is a :class:`DocumentError` whose message is French and meant for the user.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chorusbat.accounts.models import VatRegime
from chorusbat.engine.rounding import round2
from chorusbat.facturx import (
    Address,
    EmbeddedFile,
    FacturXDocument,
    FacturXValidationError,
    FinalRecap,
    InvoiceData,
    InvoiceDataError,
    Party,
    Penalty,
    RateBreakdown,
    SituationLine,
    ValidationReport,
    ValidatorUnavailable,
    build_facturx,
    render_pdf,
)
from chorusbat.figures import TOTALS, column
from chorusbat.invoicing.models import DocumentStatus, InvoiceDocument, SituationAttachment, sha256_hex
from chorusbat.markets.models import Framework
from chorusbat.situations.models import Situation
from chorusbat.situations.services import compute_chain, decompte, market_situations

TOTAL_COLUMNS = {name: column(name) for name in TOTALS}

# ------------------------------------------------------------------------------------------------- errors


class DocumentError(Exception):
    """The document cannot be produced or used; ``str(error)`` is French, for the user. ``status``: HTTP code."""

    status = 409


class SituationNotValidated(DocumentError):
    def __init__(self, situation: Situation):
        super().__init__(_("Situation %(number)s is a draft: only a validated situation has a Factur-X invoice. "
                           "Validate it first; until then only the preview is available.")
                         % {"number": situation.number})


class DocumentInvalid(DocumentError):
    """The gate rejected the document. ``report`` is the stored JSON report (see :func:`report_as_json`)."""

    def __init__(self, number: str, report: dict):
        self.report = report
        issues = report.get("issues", [])
        details = "\n".join(_issue_line(issue) for issue in issues)
        super().__init__(ngettext(
            "The Factur-X invoice %(number)s failed %(count)d check:\n%(details)s",
            "The Factur-X invoice %(number)s failed %(count)d checks:\n%(details)s",
            len(issues),
        ) % {"number": number, "count": len(issues), "details": details})


class DocumentTampered(DocumentError):
    """A stored ready document no longer matches its digests (or its report): it is never used."""

    status = 500

    def __init__(self, number: str):
        super().__init__(_("The stored Factur-X invoice %(number)s does not match its SHA-256 fingerprint: it has "
                           "been altered and will neither be shown nor sent. Contact the support team.")
                         % {"number": number})


class ValidationUnavailable(DocumentError):
    """A validator could not run: nothing is stored, nothing is ready (a check that did not run never passes)."""

    status = 503

    def __init__(self, detail: str):
        super().__init__(_("The Factur-X checks could not run, so no document was produced. Try again later or "
                           "contact the support team. Detail: %(detail)s") % {"detail": detail})


def _issue_line(issue: dict) -> str:
    if issue.get("value"):
        return _("%(rule)s (value: %(value)s): %(text)s") % issue
    return _("%(rule)s: %(text)s") % issue


def report_as_json(report: ValidationReport) -> dict:
    """The gate's report as stored in :attr:`InvoiceDocument.report`."""
    return {
        "ok": report.ok,
        "checks": list(report.checks),
        "issues": [asdict(issue) for issue in report.issues],
        "waived": [asdict(issue) for issue in report.waived],
    }


# ------------------------------------------------------------------------------------------- invoice data


def supplier_party(company) -> Party:
    # Legal form, share capital and RCS (Mon compte › Entreprise) are printed when the company has them.
    return Party(
        name=company.legal_name,
        siret=company.siret,
        vat_number=company.vat_number,
        address=Address(line1=company.address_line1, line2=company.address_line2, postcode=company.postcode,
                        city=company.city, country_code=company.country_code or "FR"),
        legal_form=company.legal_form,
        share_capital=company.share_capital_text,
        rcs=company.rcs,
    )


def _logo(company) -> EmbeddedFile | None:
    logo = company.logo_bytes
    return EmbeddedFile(name="logo", mime=company.logo_mime, data=logo) if logo and company.logo_mime else None


def _attachments(situation: Situation) -> tuple[EmbeddedFile, ...]:
    """The situation's supporting documents, in the order they were added (exact stored bytes)."""

    return tuple(
        EmbeddedFile(name=a.filename, mime=a.mime, data=a.data_bytes, description=a.label)
        for a in SituationAttachment.objects.filter(situation=situation).order_by("pk")
    )


def buyer_party(market) -> Party:
    # The buyer's postal address is printed when the market has one (optional attributes).
    return Party(
        name=market.buyer_name,
        siret=market.buyer_siret,
        address=Address(**{name: str(getattr(market, f"buyer_{name}", "") or "")
                           for name in ("line1", "line2", "postcode", "city")}),
    )


def _moe(market) -> Party | None:
    """The project manager (maître d'œuvre): the validator of an A4 market. A10/A13 validators are not MOEs."""
    if market.framework == Framework.A4 and market.validator_siret:
        return Party(name=market.validator_name, siret=market.validator_siret)
    return None


def _previous(situation: Situation) -> Situation | None:
    return situation.market.situations.filter(period__lt=situation.period).order_by("-period").first()


def _in_force(amended, initial):
    """A line's unit price or quantity for the situation's period: as an amendment set it, else the contract's."""
    return initial if amended is None else amended


def _final_recap(current: Situation, totals: dict) -> FinalRecap:
    """The market recalled by a projet de décompte final (situation-rules.md §6): the market's amounts (initial,
    after every amendment, as the engine computes them) and the sums over its chain of situations — the stored
    figures of the earlier ones (validated before a final statement can exist) and this one's."""
    market = current.market
    contract = compute_chain(market, list(market.lines.all()), [])
    earlier = [s for s in market_situations(market) if s.period < current.period]
    chain = [{name: getattr(s, column) or Decimal("0.00") for name, column in TOTAL_COLUMNS.items()}
             for s in earlier] + [totals]

    def total(*names: str) -> Decimal:
        return sum((row[name] for row in chain for name in names), Decimal("0.00"))

    return FinalRecap(
        initial_ht=contract.contract_ht, initial_ttc=contract.contract_ttc,
        amendments_ht=contract.current_ht - contract.contract_ht,
        amendments_ttc=contract.current_ttc - contract.contract_ttc,
        current_ht=contract.current_ht, current_ttc=contract.current_ttc,
        acomptes_ht=total("a", "d"), acomptes_ttc=total("ttc"), advance_amount=contract.advance_amount,
        advance_paid=total("e"), advance_recovered=total("f"), retention_held=total("g"), situations=len(chain),
    )


def invoice_data_for(situation: Situation) -> InvoiceData:
    """The invoice of ``situation`` with the engine's amounts (stored ones once validated).

    Raises :class:`DocumentError` when the draft's inputs are rejected by the engine or the invoice cannot be
    issued (no IBAN, credit note without a previous invoice…).
    """
    figures = decompte(situation)
    if figures.errors:
        raise DocumentError("\n".join(figures.errors))
    current, market = figures.situation, figures.situation.market
    totals = figures.totals
    lines = tuple(
        SituationLine(
            ref=row.line.ref, label=row.line.label, kind=row.line.kind, unit=row.line.unit,
            unit_price=_in_force(row.unit_price, row.line.unit_price),  # as amended for the period, if it was
            contract_quantity=_in_force(row.quantity, row.line.quantity),
            contract_amount=round2(_in_force(row.unit_price, row.line.unit_price)
                                   * _in_force(row.quantity, row.line.quantity)),  # §2 line total, as on the contract
            vat_rate=row.line.vat_rate, progress=row.progress if row.progress is not None else Decimal("0"),
            cumulative=row.cumulative, previous=row.previous, period=row.period,
        )
        for row in figures.lines
    )
    credit_note = totals["ttc"] < 0
    original = _previous(current) if credit_note else None
    company = current.company
    try:
        return InvoiceData(
            supplier=supplier_party(company),
            buyer=buyer_party(market),
            moe=_moe(market),
            market_number=market.number,
            market_title=market.title,
            framework=market.framework,
            engagement=market.engagement,
            service_code=market.buyer_service_code,
            payment_delay_days=market.payment_delay_days,
            reverse_charge=market.reverse_charge,
            retention_rate=market.retention_rate,
            invoice_number=current.number,
            issue_date=current.date,
            period=current.period_label,
            coefficient=figures.coefficient,
            lines=lines,
            by_rate=tuple(RateBreakdown(rate=r.rate, cumulative_ht=r.cumulative_ht, a=r.a, d=r.d, b=r.b)
                          for r in figures.by_rate),
            penalties=tuple(Penalty(label=p.label, amount=p.amount) for p in current.penalties.all()),
            iban=company.iban,
            bic=company.bic,
            vat_on_debits=company.vat_regime == VatRegime.DEBITS,
            logo=_logo(company),
            attachments=_attachments(current),
            original_invoice_number=original.number if original else "",
            original_invoice_date=original.date if original else None,
            final=current.final,
            final_recap=_final_recap(current, totals) if current.final else None,
            **{name: totals[name] for name in TOTALS},
        )
    except InvoiceDataError as error:
        raise DocumentError(str(error)) from None


# ------------------------------------------------------------------------------------------ ready document


def check_integrity(document: InvoiceDocument) -> InvoiceDocument:
    """Refuse a ready document whose bytes or report no longer are what was stored when it passed the gate."""
    report = document.report or {}
    intact = (
        document.is_ready
        and sha256_hex(document.pdf_bytes) == document.sha256
        and sha256_hex(document.xml_bytes) == document.xml_sha256
        and report.get("ok") is True
        and not report.get("issues")
    )
    if not intact:
        raise DocumentTampered(document.situation.number)
    return document


def _store(situation: Situation, fields: dict) -> InvoiceDocument:
    """Create the situation's row, or replace a failed one; a ready row is never touched.

    Two producers racing here end with one row: the one-to-one constraint makes ``get_or_create`` return the
    winner's row to the other, and an existing row is only overwritten while it is still ``invalid``.
    """
    document, created = InvoiceDocument.objects.get_or_create(situation=situation, defaults=fields)
    if not created and not document.is_ready:
        InvoiceDocument.objects.filter(pk=document.pk, status=DocumentStatus.INVALID).update(**fields)
        document = InvoiceDocument.objects.get(pk=document.pk)
    document.situation = situation
    return document


def inputs_digest(data: InvoiceData) -> str:
    """SHA-256 of everything the document is built from (the invoice data), to notice a change of inputs."""
    return hashlib.sha256(repr(data).encode()).hexdigest()


def _ready_fields(built: FacturXDocument, data: InvoiceData | None = None) -> dict:
    return {
        "status": DocumentStatus.READY, "pdf": built.pdf, "xml": built.xml,
        "sha256": sha256_hex(built.pdf), "xml_sha256": sha256_hex(built.xml),
        "report": report_as_json(built.report), "inputs_sha256": inputs_digest(data) if data else "",
    }


def _invalid_fields(report: ValidationReport, data: InvoiceData | None = None) -> dict:
    return {"status": DocumentStatus.INVALID, "pdf": b"", "xml": b"", "sha256": "", "xml_sha256": "",
            "report": report_as_json(report), "inputs_sha256": inputs_digest(data) if data else ""}


def _build_fields(data: InvoiceData) -> dict:
    """Build and gate the document of ``data``: the fields of a ready row, or of an invalid one."""
    try:
        return _ready_fields(build_facturx(data), data)
    except FacturXValidationError as error:
        return _invalid_fields(error.report, data)
    except ValidatorUnavailable as error:
        raise ValidationUnavailable(str(error)) from None


def ready_document(situation: Situation) -> InvoiceDocument:
    """The validated situation's Factur-X, produced and checked on first call, then reused as stored.

    Raises :class:`SituationNotValidated` for a draft, :class:`DocumentInvalid` when the gate rejects the document
    (the failed report is stored, status ``invalid``, and the next call tries again), :class:`DocumentTampered` when
    the stored bytes do not match their digests, :class:`ValidationUnavailable` when a validator cannot run, and
    :class:`DocumentError` when the invoice cannot be issued at all.
    """
    existing = InvoiceDocument.objects.filter(situation=situation).first()
    if existing is not None and existing.is_ready:
        # Also for a situation rejected since: the document sent stays available exactly as it was.
        existing.situation = situation
        return check_integrity(existing)
    if not situation.is_validated:
        raise SituationNotValidated(situation)

    document = _store(situation, _build_fields(invoice_data_for(situation)))
    if not document.is_ready:
        raise DocumentInvalid(situation.number, document.report)
    return check_integrity(document)


def _sending_started(situation: Situation) -> bool:
    """Once the situation is handed to the gateway, its document is frozen: the bytes sent are the bytes stored.

    Asked through the reverse relation (``gateway.Transmission.situation``): the gateway sits above invoicing.
    """
    return Situation.objects.filter(pk=situation.pk, transmission__isnull=False).exists()


def refresh_document(situation_id: int) -> str:
    """The background task's work: make sure a validated situation has its document, built from current inputs.

    Produces the document when it is missing (:func:`ready_document`, stored once). When a document exists but the
    invoice data changed since it was built (company or market details edited after validation) and the situation
    is not being sent yet, builds it again and replaces it (the new one, ready or invalid, carries the new inputs'
    digest). Returns ``missing``, ``draft``, ``ready``, ``rebuilt``, ``invalid`` or ``error``; raises
    :class:`ValidationUnavailable` when a validator cannot run (the task fails; the page asks again later).
    """
    situation = Situation.objects.select_related("market", "company").filter(pk=situation_id).first()
    if situation is None:
        return "missing"
    if not situation.is_validated:
        return "draft"
    existing = InvoiceDocument.objects.filter(situation=situation).first()
    try:
        if existing is None or not existing.inputs_sha256:  # a document built before digests were kept is kept
            return "ready" if ready_document(situation).is_ready else "invalid"
        data = invoice_data_for(situation)
        if existing.inputs_sha256 == inputs_digest(data) or _sending_started(situation):
            return "ready" if ready_document(situation).is_ready else "invalid"
        fields = _build_fields(data)
    except DocumentInvalid:
        return "invalid"
    except ValidationUnavailable:
        raise
    except DocumentError:
        return "error"
    with transaction.atomic():
        if _sending_started(situation):  # handed to the gateway while we were building: keep what it may send
            return "ready"
        # Replace only the row we compared, so that two refreshes racing store one document.
        changed = InvoiceDocument.objects.filter(pk=existing.pk, sha256=existing.sha256,
                                                 inputs_sha256=existing.inputs_sha256).update(
            **fields, created_at=timezone.now())
    return "rebuilt" if changed else "ready"


# ---------------------------------------------------------------------------------------------- previews


def preview_pdf(situation: Situation) -> bytes:
    """The PDF behind "Aperçu PDF": the stored Factur-X once validated, else a stamped draft preview."""
    if situation.is_validated:
        return ready_document(situation).pdf_bytes
    return render_pdf(invoice_data_for(situation), watermark=_("PREVIEW — NOT VALIDATED"))
