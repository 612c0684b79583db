"""The readable side of the invoice: an A4 PDF/A-3b in French, rendered by WeasyPrint from an HTML template.

Set-up work is done once per process and reused (:func:`_renderer`): the Django template engine (used
standalone, without settings, with autoescaping on), the parsed stylesheet and the font configuration.

The output never depends on the machine: the only resources are the DejaVu fonts shipped in ``fonts/``,
the URL fetcher refuses anything else, and characters the shipped font cannot draw are replaced before
rendering (a PDF/A file must not show missing glyphs, and a fallback system font would make the output
machine-dependent).
"""

from __future__ import annotations

import atexit
import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from django.template import Context, Engine

from chorusbat.facturx.mapping import VatBreakdown, deduction_items, due_date, vat_breakdowns
from chorusbat.facturx.messages import message
from chorusbat.facturx.model import ZERO, InvoiceData, Party
from chorusbat.facturx.text import clean_text, fr_date, fr_money, fr_number

PACKAGE_DIR = Path(__file__).resolve().parent
FONT_DIR = PACKAGE_DIR / "fonts"
TEMPLATE_DIR = PACKAGE_DIR / "templates"
REPLACEMENT = "\ufffd"
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")


@lru_cache(maxsize=1)
def _drawable() -> frozenset[int]:
    """Code points the shipped regular font has a glyph for."""
    from fontTools.ttLib import TTFont

    with TTFont(FONT_DIR / "DejaVuSans.ttf", lazy=True) as font:
        return frozenset(font.getBestCmap())


def pdf_text(value: object) -> str:
    """Clean ``value`` and replace the characters the shipped font cannot draw."""
    drawable = _drawable()
    fallback = REPLACEMENT if ord(REPLACEMENT) in drawable else "?"
    return "".join(char if ord(char) in drawable else fallback for char in clean_text(value))


def _local_fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class LocalFontsOnly(URLFetcher):
        """Fetches the shipped fonts and nothing else: no network, no other file."""

        def fetch(self, url, headers=None):
            allowed = FONT_DIR.as_uri() + "/"
            if not url.startswith(allowed) or ".." in url:
                raise FatalURLFetchingError(f"external resource refused: {url[:200]}")
            return super().fetch(url, headers)

    return LocalFontsOnly


@dataclass
class _Renderer:
    template: object
    stylesheet: object
    font_config: object
    fetcher: object
    lock: threading.Lock


@lru_cache(maxsize=1)
def _renderer() -> _Renderer:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    engine = Engine(dirs=[str(TEMPLATE_DIR)], autoescape=True)
    font_config = FontConfiguration()
    fetcher = _local_fetcher_class()()
    css = (TEMPLATE_DIR / "situation.css").read_text(encoding="utf-8").replace("FONT_DIR", FONT_DIR.as_uri())
    stylesheet = CSS(string=css, font_config=font_config, url_fetcher=fetcher)
    # Release the font configuration before interpreter teardown, when its __del__ can still run cleanly.
    atexit.register(_renderer.cache_clear)
    return _Renderer(engine.get_template("situation.html"), stylesheet, font_config, fetcher, threading.Lock())


def _period_label(period: str) -> str:
    year, _, month = period.partition("-")
    if month.isdigit() and 1 <= int(month) <= 12:
        return f"{MONTHS[int(month) - 1]} {year}"
    return period


def _party(role: str, party: Party) -> dict:
    address = party.address
    lines = [address.line1, address.line2, " ".join(p for p in (address.postcode, address.city) if p)]
    if address.country_code and address.country_code != "FR":
        lines.append(address.country_code)
    return {
        "role": role,
        "name": pdf_text(party.name),
        "siret": pdf_text(party.siret),
        "vat_number": pdf_text(party.vat_number),
        "address": [pdf_text(line) for line in lines if clean_text(line)],
    }


def _progress(line) -> str:
    if line.kind == "forfait":
        return f"{fr_number(line.progress, None)} %"
    return pdf_text(f"{fr_number(line.progress, None)} {line.unit}")


def _statement(data: InvoiceData) -> list[dict]:
    """The état d'acompte (a, d, b, c, e, f, g, net) with the amounts the engine computed."""
    penalties = "; ".join(f"{p.label} {fr_money(p.amount)}" for p in data.penalties)
    retention = f" ({fr_number(data.retention_rate * 100, None)} % du TTC)" if data.retention_rate else ""
    rows = [
        ("a", "Acompte aux prix initiaux (HT)", data.a, ""),
        ("d", f"Révision des prix (coefficient {fr_number(data.coefficient, 3)})", data.d, ""),
        ("b", "TVA", data.b, ""),
        ("", "Montant TTC (a + d + b)", data.ttc, "subtotal"),
        ("c", "Pénalités" + (f" : {penalties}" if penalties else ""), data.c, ""),
        ("e", "Avance à verser", data.e, ""),
        ("f", "Remboursement de l'avance", data.f, ""),
        ("g", f"Retenue de garantie{retention}", data.g, ""),
        ("", "Net à payer (a + d + b + e − c − f − g)", data.net, "net"),
    ]
    return [{"code": code, "label": pdf_text(label), "amount": fr_money(amount), "css": css}
            for code, label, amount, css in rows]


def _context(data: InvoiceData) -> dict:
    label = "Avoir" if data.is_credit_note else "Facture"
    parties = [_party("Fournisseur (titulaire)", data.supplier), _party("Acheteur (maître d'ouvrage)", data.buyer)]
    if data.moe is not None:
        parties.append(_party("Maître d'œuvre", data.moe))
    references = [
        ("Marché", data.market_number),
        ("Objet du marché", data.market_title),
        ("Engagement juridique", data.engagement),
        ("Code service", data.service_code),
        ("Cadre de facturation", data.framework),
        ("Coefficient de révision", fr_number(data.coefficient, 3)),
    ]
    lines = [
        {
            "ref": pdf_text(line.ref),
            "label": pdf_text(line.label),
            "contract_amount": fr_money(line.contract_amount),
            "rate": f"{fr_number(line.vat_rate, None)} %",
            "progress": _progress(line),
            "cumulative": fr_money(line.cumulative),
            "previous": fr_money(line.previous),
            "period": fr_money(line.period),
        }
        for line in data.lines
    ]
    lines_total = {name: fr_money(sum((getattr(line, name) for line in data.lines), ZERO))
                   for name in ("cumulative", "previous", "period")}
    vat = [
        {
            "rate": f"{fr_number(item.rate, None)} %",
            "base": fr_money(item.base),
            "vat": fr_money(item.vat),
            "mention": "Autoliquidation" if item.category == "AE" else "",
        }
        for item in _signed_back(data)
    ]
    payment = [("Montant net à payer", fr_money(data.net))]
    if data.is_credit_note:
        payment = [("Montant net de l'avoir", fr_money(-data.net))]
    else:
        payment += [
            ("Échéance", f"{fr_date(due_date(data))} ({data.payment_delay_days} jours)"),
            ("Mode de paiement", "Virement SEPA"),
            ("IBAN", data.iban),
        ]
        if data.bic:
            payment.append(("BIC", data.bic))
    legal = [
        message("note_late_penalties", rate=data.late_payment_rate),
        message("note_recovery_indemnity", amount=fr_money(data.recovery_indemnity)),
        message("note_no_discount"),
    ]
    items = deduction_items(data)
    if items:
        legal.append(message("note_deductions", items=" ; ".join(items), net=fr_money(data.net)))
    if data.reverse_charge:
        legal.append(message("note_reverse_charge"))
    return {
        "title": pdf_text(f"{label} {data.invoice_number} — {data.supplier.name}"),
        "document_label": label,
        "invoice_number": pdf_text(data.invoice_number),
        "period": pdf_text(_period_label(data.period)),
        "issue_date": fr_date(data.issue_date),
        "original_invoice_number": pdf_text(data.original_invoice_number) if data.is_credit_note else "",
        "original_invoice_date": fr_date(data.original_invoice_date) if data.original_invoice_date else "",
        "supplier": {"name": pdf_text(data.supplier.name), "siret": pdf_text(data.supplier.siret)},
        "parties": parties,
        "references": [(name, pdf_text(value)) for name, value in references if clean_text(value)],
        "lines": lines,
        "lines_total": lines_total,
        "statement": _statement(data),
        "vat": vat,
        "payment": [(name, pdf_text(value)) for name, value in payment],
        "legal": [pdf_text(text) for text in legal],
    }


def _signed_back(data: InvoiceData) -> list[VatBreakdown]:
    """The VAT breakdown with the situation's own signs (the XML makes a credit note's amounts positive)."""
    factor = -1 if data.is_credit_note else 1
    return [replace(item, base=factor * item.base, vat=factor * item.vat) for item in vat_breakdowns(data)]


def render_html(data: InvoiceData) -> str:
    """Return the HTML of the document (escaped by the template engine)."""
    return _renderer().template.render(Context(_context(data)))


def render_pdf(data: InvoiceData) -> bytes:
    """Return the PDF/A-3b document of ``data`` (without the embedded XML; see :mod:`pipeline`)."""
    from weasyprint import HTML

    renderer = _renderer()
    html = render_html(data)
    with renderer.lock:  # the shared font configuration is not meant for concurrent use
        document = HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=renderer.fetcher)
        return document.write_pdf(
            stylesheets=[renderer.stylesheet],
            font_config=renderer.font_config,
            pdf_variant="pdf/a-3b",
        )
