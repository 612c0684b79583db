"""The readable side of the invoice: an A4 PDF/A-3b in French, compiled by Typst from ``templates/situation.typ``.

The template is a file; the invoice reaches it as one JSON document (``sys.inputs.data``), so user text is data,
never markup or code: Typst inserts strings as they are. Set-up work is done once per process and reused
(:func:`_compiler`): the Typst compiler with the shipped fonts, which :func:`compile_typst` also lends to the
company's letters (:mod:`chorusbat.contracts.letters`).

The output never depends on the machine: the only fonts are the DejaVu files shipped in ``fonts/`` (system fonts
and the typst package's own fonts are left out, and the template disables font fallback), the template imports
nothing, and characters the shipped font cannot draw are replaced before rendering (a PDF/A file must not show
missing glyphs).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from chorusbat.facturx.french_messages import message
from chorusbat.facturx.invoice_model import ZERO, InvoiceData, Party
from chorusbat.facturx.mapping import VatBreakdown, deduction_items, due_date, vat_breakdowns
from chorusbat.facturx.text import clean_text, fr_date, fr_money, fr_number

PACKAGE_DIR = Path(__file__).resolve().parent
FONT_DIR = PACKAGE_DIR / "fonts"
TEMPLATE_DIR = PACKAGE_DIR / "templates"
TEMPLATE = TEMPLATE_DIR / "situation.typ"
REPLACEMENT = "\ufffd"
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
ZERO_WIDTH_SPACE = "\u200b"
LOGO_FORMATS = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}
# No-break spaces and the private-use characters that stand for them while clean_text folds the other spaces.
_NO_BREAK = (("\u00a0", "\ue000"), ("\u202f", "\ue001"))
SUMMARY_TEXT_SURELY_FITS = 1200  # characters; 1,200 take about 25 lines in the summary, half of its free room
_LONG_WORD = re.compile(r"(?:[^\s]|[\u00a0\u202f]){40,}")  # no-break spaces do not break a word


@lru_cache(maxsize=1)
def _drawable() -> frozenset[int]:
    """Code points the shipped regular font has a glyph for."""
    from fontTools.ttLib import TTFont

    with TTFont(FONT_DIR / "DejaVuSans.ttf", lazy=True) as font:
        return frozenset(font.getBestCmap())


def pdf_text(value: object) -> str:
    """Clean ``value`` and replace the characters the shipped font cannot draw.

    No-break spaces are kept (:func:`clean_text` would make them plain spaces): they hold an amount and its
    ``€`` together, and the groups of a number, on one line.
    """
    drawable = _drawable()
    fallback = REPLACEMENT if ord(REPLACEMENT) in drawable else "?"
    text = str(value if value is not None else "")
    for no_break, placeholder in _NO_BREAK:
        text = text.replace(placeholder, "").replace(no_break, placeholder)
    text = clean_text(text)
    for no_break, placeholder in _NO_BREAK:
        text = text.replace(placeholder, no_break)
    return "".join(char if ord(char) in drawable else fallback for char in text)


def wrappable(value: object) -> str:
    """:func:`pdf_text`, with a break opportunity (zero-width space) every 20 characters of a word of 40 or more,
    so that a label without spaces wraps inside its column instead of running over the next ones."""
    return _LONG_WORD.sub(lambda m: ZERO_WIDTH_SPACE.join(m[0][i:i + 20] for i in range(0, len(m[0]), 20)),
                          pdf_text(value))


@dataclass
class _Compiler:
    compiler: object
    lock: threading.Lock


@lru_cache(maxsize=1)
def _compiler() -> _Compiler:
    import typst

    # Only the shipped fonts: neither the system's nor the ones built into the typst package (Libertinus, New
    # Computer Modern, DejaVu Sans Mono), which no template uses and which cost a worker about 16 MB resident.
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONT_DIR)])
    compiler = typst.Compiler(root=str(TEMPLATE_DIR), font_paths=fonts)
    return _Compiler(compiler, threading.Lock())


def _period_label(period: str) -> str:
    year, _, month = period.partition("-")
    if month.isdigit() and 1 <= int(month) <= 12:
        return f"{MONTHS[int(month) - 1]} {year}"
    return period


def _legal_identity(party: Party) -> list[str]:
    """The supplier's legal form, share capital and RCS registration, when known (« SARL au capital de … »)."""
    form, capital = clean_text(party.legal_form), clean_text(party.share_capital)
    lines = []
    if form and capital:
        lines.append(f"{form} au capital de {capital}")
    elif form or capital:
        lines.append(form or f"Capital social : {capital}")
    if clean_text(party.rcs):
        lines.append(party.rcs)
    return lines


def _grouped(value: str, sizes: tuple[int, ...]) -> str:
    """``value`` cut into groups of ``sizes`` (the last size repeats), joined by no-break spaces: how a French
    reader expects a SIRET (``732 829 320 00074``) or an IBAN (``FR76 3000 6000 …``). Other values are kept."""
    text = clean_text(value)
    if not text.isalnum():
        return text
    groups, start, index = [], 0, 0
    while start < len(text):
        size = sizes[min(index, len(sizes) - 1)]
        groups.append(text[start:start + size])
        start, index = start + size, index + 1
    return "\u00a0".join(groups)


def siret_text(siret: str) -> str:
    return _grouped(siret, (3, 3, 3, 5)) if clean_text(siret).isdigit() and len(clean_text(siret)) == 14 else siret


def party_block(role: str, party: Party) -> dict:
    """A party as the templates print it: its role, its name, and its address and identity lines."""
    address = party.address
    lines = [address.line1, address.line2, " ".join(p for p in (address.postcode, address.city) if p)]
    if address.country_code and address.country_code != "FR":
        lines.append(address.country_code)
    lines += [f"SIRET {siret_text(party.siret)}"]
    if clean_text(party.vat_number):
        lines.append(f"N° TVA intracom. {party.vat_number}")
    lines += _legal_identity(party)
    return {
        "role": role,
        "name": wrappable(party.name),
        "lines": [wrappable(line) for line in lines if clean_text(line)],
    }


def _progress(line) -> str:
    if line.kind == "forfait":
        return f"{fr_number(line.progress, None)} %"
    return wrappable(f"{fr_number(line.progress, None)} {line.unit}")


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
    return [{"code": code, "label": wrappable(label), "amount": fr_money(amount), "style": style}
            for code, label, amount, style in rows]


def _signed_back(data: InvoiceData) -> list[VatBreakdown]:
    """The VAT breakdown with the situation's own signs (the XML makes a credit note's amounts positive)."""
    factor = -1 if data.is_credit_note else 1
    return [replace(item, base=factor * item.base, vat=factor * item.vat) for item in vat_breakdowns(data)]


def _recap(data: InvoiceData) -> list[dict]:
    """A projet de décompte final's recap of the market (situation-rules.md §6); empty for a monthly situation."""
    recap = data.final_recap
    if recap is None:
        return []
    rows = [
        ("Montant initial du marché (HT / TTC)", recap.initial_ht, recap.initial_ttc, ""),
        ("Avenants (HT / TTC)", recap.amendments_ht, recap.amendments_ttc, ""),
        ("Montant actuel du marché (HT / TTC)", recap.current_ht, recap.current_ttc, "subtotal"),
        (f"Total des acomptes a + d ({recap.situations} situation(s), HT / TTC)", recap.acomptes_ht,
         recap.acomptes_ttc, "subtotal"),
        ("Avance du marché", None, recap.advance_amount, ""),
        ("Avance versée avec les situations (Σ e)", None, recap.advance_paid, ""),
        ("Avance remboursée (Σ f)", None, recap.advance_recovered, ""),
        ("Retenue de garantie retenue (Σ g)", None, recap.retention_held, "net"),
    ]
    return [{"label": wrappable(label), "ht": fr_money(ht) if ht is not None else "",
             "amount": fr_money(amount), "style": style} for label, ht, amount, style in rows]


def document_data(data: InvoiceData, watermark: str = "") -> dict:
    """Everything the template prints, as JSON-ready strings (cleaned, formatted, drawable by the font)."""
    label = "Avoir" if data.is_credit_note else "Facture"
    if data.final:  # the projet de décompte final: its title instead of the monthly one (situation-rules.md §6)
        label = f"{message('final_title')} — {label.lower()}" if data.is_credit_note else message("final_title")
    parties = [party_block("Fournisseur (titulaire)", data.supplier),
               party_block("Acheteur (maître d'ouvrage)", data.buyer)]
    if data.moe is not None:
        parties.append(party_block("Maître d'œuvre", data.moe))
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
            "ref": wrappable(line.ref),
            "label": wrappable(line.label),
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
            ("IBAN", _grouped(data.iban, (4,))),
        ]
        if data.bic:
            payment.append(("BIC", data.bic))
    legal = [
        message("note_late_penalties", rate=data.late_payment_rate),
        message("note_recovery_indemnity", amount=fr_money(data.recovery_indemnity)),
        message("note_no_discount"),
    ]
    if data.reverse_charge:
        legal.append(message("note_reverse_charge"))
    if data.vat_on_debits:
        legal.append(message("note_vat_on_debits"))
    items = deduction_items(data)
    deductions = message("note_deductions", items=" ; ".join(items), net=fr_money(data.net)) if items else ""
    statement = _statement(data)
    deductions = wrappable(deductions)
    # The summary's only texts of unbounded length are the penalties (in the état and in the deductions note):
    # below this many characters it surely fits on a page and the template need not measure it.
    summary_fits = (sum(len(row["label"]) for row in statement) + len(deductions) < SUMMARY_TEXT_SURELY_FITS
                    and not data.final)  # the final statement's recap makes the summary taller: measured
    amounts = [line[name] for line in lines for name in ("contract_amount", "cumulative", "previous", "period")]
    return {
        "widest_amount": max(amounts + list(lines_total.values()), key=len),
        "widest_statement": max((row["amount"] for row in statement), key=len),
        "title": pdf_text(f"{label} {data.invoice_number} — {data.supplier.name}"),
        "author": pdf_text(data.supplier.name),
        "watermark": pdf_text(watermark),
        "document_label": label,
        "subtitle": "Dernière situation du marché, aux quantités définitives" if data.final else "Situation de travaux",
        "recap": _recap(data),
        "recap_note": (pdf_text(message("final_retention_release", retention=fr_money(data.final_recap.retention_held)))
                       if data.final_recap else ""),
        "invoice_number": pdf_text(data.invoice_number),
        "period": pdf_text(_period_label(data.period)),
        "issue_date": fr_date(data.issue_date),
        "original_invoice_number": pdf_text(data.original_invoice_number) if data.is_credit_note else "",
        "original_invoice_date": fr_date(data.original_invoice_date) if data.original_invoice_date else "",
        "supplier": {"name": pdf_text(data.supplier.name), "siret": pdf_text(siret_text(data.supplier.siret))},
        "parties": parties,
        "references": [(name, wrappable(value)) for name, value in references if clean_text(value)],
        "lines": lines,
        "lines_total": lines_total,
        "statement": statement,
        "deductions": deductions,
        "summary_fits": summary_fits,
        "vat": vat,
        "payment": [(name, wrappable(value)) for name, value in payment],
        "legal": [pdf_text(text) for text in legal],
        # The logo's bytes as a list of integers (Typst builds an image from them), checked at upload.
        "logo": list(data.logo.data) if data.logo else [],
        "logo_format": LOGO_FORMATS.get(data.logo.mime, "") if data.logo else "",
        "attachments": [wrappable(f"{a.name}" + (f" — {a.description}" if clean_text(a.description) else ""))
                        for a in data.attachments],
    }


def render_pdf(data: InvoiceData, watermark: str = "") -> bytes:
    """Return the PDF/A-3b document of ``data`` (without the embedded XML; see :mod:`pipeline`).

    ``watermark``: a text stamped on every page (a banner at the top and a large diagonal), for draft previews.
    """
    return compile_typst(TEMPLATE, document_data(data, watermark))


def compile_typst(template: Path | bytes, data: dict, *, pdf_a: bool = True) -> bytes:
    """Compile a Typst ``template`` (a file, or the source itself) with ``data`` as ``sys.inputs.data`` (JSON: user
    text is data, never markup), into PDF/A-3b unless ``pdf_a`` is false. Raises typst's error if it cannot."""
    payload = json.dumps(data, ensure_ascii=False)
    standards = {"pdf_standards": ["a-3b"], "pdf_tags": False} if pdf_a else {}
    compiler = _compiler()
    with compiler.lock:  # one compiler per process, its caches are not meant for concurrent compilations
        return compiler.compiler.compile(input=template if isinstance(template, bytes) else str(template),
                                         format="pdf", sys_inputs={"data": payload}, **standards)


_LOGO_PROBE = b"#let data = json(bytes(sys.inputs.data))\n" \
              b"#image(bytes(data.logo), format: data.logo_format, width: 60mm, height: 18mm, fit: \"contain\")\n"


def logo_renders(data: bytes, mime: str) -> bool:
    """Whether the documents' renderer can draw this logo (checked once, at upload, so that a logo it cannot
    decode never stops a document from being produced)."""
    try:
        compile_typst(_LOGO_PROBE, {"logo": list(data), "logo_format": LOGO_FORMATS.get(mime, "")}, pdf_a=False)
    except Exception:  # typst raises its own TypstError (and ValueError on bad input): the logo is refused
        return False
    return True
