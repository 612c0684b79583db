"""The sales journal (journal des ventes) of a company's invoices: pure Python, ``Decimal`` only, no Django.

Fed by plain :class:`Invoice` values (the frozen figures of validated situations), it builds one balanced
accounting entry per invoice — and one reversing entry per rejected invoice — then writes them in the layout of
the Fichier des Écritures Comptables (FEC, article A47 A-1 of the Livre des procédures fiscales) or as a French
CSV. The accounting scheme is described in ``docs/sales-journal.md``; in short, for an invoice::

    débit  411   client            net to pay (a + b + d + e − c − f − g)
    débit  4117  retenue de garantie                 g
    débit  6711  pénalités                           c
    débit  4191  avance remboursée (déduite)         f
    crédit 706   travaux HT, per VAT rate            a + d
    crédit 4457  TVA collectée, per VAT rate         b
    crédit 4191  avance à payer                      e

A negative amount goes on the other side; a zero amount gives no line. Every entry balances by construction,
and :func:`build_journal` checks it anyway.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

FEC_COLUMNS = (
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
    "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
    "ValidDate", "Montantdevise", "Idevise",
)
CSV_COLUMNS = (
    "Journal", "Date", "N° écriture", "N° pièce", "Compte", "Libellé du compte", "Compte auxiliaire",
    "Client", "Libellé", "Débit", "Crédit", "Échéance", "Marché",
)


class JournalError(ValueError):
    """The figures given cannot make a correct entry (amount not in cents, unbalanced entry)."""


@dataclass(frozen=True)
class Accounts:
    """Account numbers and labels of the scheme (French chart of accounts, PCG, by default)."""

    journal_code: str = "VT"
    journal_label: str = "Journal des ventes"
    customer: str = "411000"
    customer_label: str = "Clients"
    retention: str = "411700"
    retention_label: str = "Clients - retenues de garantie"
    sales: str = "706000"
    sales_label: str = "Prestations de services"
    vat: str = "445710"
    vat_label: str = "TVA collectée"
    advance: str = "419100"
    advance_label: str = "Clients - avances et acomptes reçus"
    penalties: str = "671100"
    penalties_label: str = "Pénalités sur marchés"


@dataclass(frozen=True)
class RateFigures:
    """One VAT rate of an invoice: amount excluding VAT (a + d for that rate) and its VAT (b)."""

    rate: Decimal
    ht: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Invoice:
    """The frozen figures of one invoice (a validated situation), names of ``situation-rules.md`` §3."""

    number: str
    date: datetime.date
    buyer_name: str
    buyer_siret: str
    market_number: str
    rates: tuple[RateFigures, ...]
    penalties: Decimal = ZERO  # c
    advance_paid: Decimal = ZERO  # e
    advance_recovered: Decimal = ZERO  # f
    retention: Decimal = ZERO  # g
    net: Decimal | None = None  # when given, must equal what the figures above give
    due_date: datetime.date | None = None
    validated_on: datetime.date | None = None

    @property
    def total_ht(self) -> Decimal:
        return sum((r.ht for r in self.rates), ZERO)

    @property
    def total_vat(self) -> Decimal:
        return sum((r.vat for r in self.rates), ZERO)

    @property
    def net_to_pay(self) -> Decimal:
        return (self.total_ht + self.total_vat + self.advance_paid - self.penalties - self.advance_recovered
                - self.retention)


@dataclass(frozen=True)
class JournalItem:
    """An invoice to write in the journal, or (``reversal``) its cancellation on ``on`` after a rejection."""

    invoice: Invoice
    reversal: bool = False
    on: datetime.date | None = None

    @property
    def date(self) -> datetime.date:
        return self.on or self.invoice.date


@dataclass(frozen=True)
class Line:
    account: str
    account_label: str
    label: str
    debit: Decimal
    credit: Decimal
    aux_number: str = ""
    aux_label: str = ""


@dataclass(frozen=True)
class Entry:
    number: str
    date: datetime.date
    piece_ref: str
    piece_date: datetime.date
    label: str
    valid_date: datetime.date
    lines: tuple[Line, ...]
    due_date: datetime.date | None = None
    market_number: str = ""
    reversal: bool = False

    @property
    def debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)


def _cents(value: Decimal, what: str, number: str) -> Decimal:
    value = Decimal(value)
    if value != value.quantize(CENT):
        raise JournalError(f"Facture {number} : le montant {what} ({value}) n'est pas au centime.")
    return value.quantize(CENT)


def _rate_label(rate: Decimal) -> str:
    text = format(Decimal(rate).normalize(), "f")
    return text.replace(".", ",") + " %"


def entry_lines(item: JournalItem, accounts: Accounts) -> tuple[Line, ...]:
    """The lines of one entry; ``signed`` amounts are positive on the debit side."""
    inv = item.invoice
    sign = -1 if item.reversal else 1
    label = f"{'Annulation facture' if item.reversal else 'Facture'} {inv.number} {inv.buyer_name}"[:200]
    aux = (inv.buyer_siret, inv.buyer_name)
    wanted: list[tuple[str, str, Decimal, tuple[str, str], str]] = []  # account, account label, signed, aux, label

    net = inv.net_to_pay
    if inv.net is not None and _cents(inv.net, "net", inv.number) != net:
        raise JournalError(f"Facture {inv.number} : le net à payer ({inv.net}) ne correspond pas au décompte ({net}).")
    wanted.append((accounts.customer, accounts.customer_label, net, aux, label))
    wanted.append((accounts.retention, accounts.retention_label, _cents(inv.retention, "g", inv.number), aux,
                   f"{label} - retenue de garantie"))
    wanted.append((accounts.penalties, accounts.penalties_label, _cents(inv.penalties, "c", inv.number), ("", ""),
                   f"{label} - pénalités"))
    wanted.append((accounts.advance, accounts.advance_label, _cents(inv.advance_recovered, "f", inv.number), aux,
                   f"{label} - remboursement d'avance"))
    for r in inv.rates:
        wanted.append((accounts.sales, accounts.sales_label, -_cents(r.ht, "HT", inv.number), ("", ""),
                       f"{label} - HT TVA {_rate_label(r.rate)}"))
    for r in inv.rates:
        wanted.append((accounts.vat, accounts.vat_label, -_cents(r.vat, "TVA", inv.number), ("", ""),
                       f"{label} - TVA {_rate_label(r.rate)}"))
    wanted.append((accounts.advance, accounts.advance_label, -_cents(inv.advance_paid, "e", inv.number), aux,
                   f"{label} - avance"))

    lines = []
    for account, account_label, signed, (aux_number, aux_label), text in wanted:
        signed = sign * signed
        if signed == 0:
            continue
        debit, credit = (signed, ZERO) if signed > 0 else (ZERO, -signed)
        lines.append(Line(account=account, account_label=account_label, label=text[:200], debit=debit,
                          credit=credit, aux_number=aux_number, aux_label=aux_label))
    return tuple(lines)


def build_journal(items: Iterable[JournalItem], accounts: Accounts = Accounts()) -> list[Entry]:
    """Balanced entries in date order, numbered from 1 (EcritureNum ``VT000001``…)."""
    ordered = sorted(items, key=lambda i: (i.date, i.invoice.number, i.reversal))
    entries = []
    for position, item in enumerate(ordered, start=1):
        inv = item.invoice
        lines = entry_lines(item, accounts)
        entry = Entry(
            number=f"{accounts.journal_code}{position:06d}", date=item.date, piece_ref=inv.number,
            piece_date=inv.date, label=lines[0].label if lines else inv.number,
            valid_date=item.on or inv.validated_on or inv.date, lines=lines, due_date=inv.due_date,
            market_number=inv.market_number, reversal=item.reversal,
        )
        if entry.debit != entry.credit:  # cannot happen with the scheme above; a guard against its changes
            raise JournalError(f"Écriture {entry.number} déséquilibrée : {entry.debit} ≠ {entry.credit}.")
        entries.append(entry)
    return entries


def _amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _day(value: datetime.date | None) -> str:
    return value.strftime("%Y%m%d") if value else ""


def _clean(text: str) -> str:
    """No tab or line break inside a FEC field."""
    return " ".join(str(text).split())


def fec_rows(entries: Sequence[Entry], accounts: Accounts = Accounts()) -> list[list[str]]:
    rows = []
    for e in entries:
        for line in e.lines:
            rows.append([
                accounts.journal_code, accounts.journal_label, e.number, _day(e.date), line.account,
                line.account_label, line.aux_number, line.aux_label, e.piece_ref, _day(e.piece_date), line.label,
                _amount(line.debit), _amount(line.credit), "", "", _day(e.valid_date), "", "",
            ])
    return [[_clean(cell) for cell in row] for row in rows]


def write_fec(entries: Sequence[Entry], accounts: Accounts = Accounts()) -> str:
    """The FEC text: a header line, then one tab-separated line per accounting line, amounts with a comma."""
    lines = ["\t".join(FEC_COLUMNS)]
    lines += ["\t".join(row) for row in fec_rows(entries, accounts)]
    return "\r\n".join(lines) + "\r\n"


def csv_rows(entries: Sequence[Entry], accounts: Accounts = Accounts()) -> list[list[str]]:
    rows = []
    for e in entries:
        for line in e.lines:
            rows.append([
                accounts.journal_code, e.date.strftime("%d/%m/%Y"), e.number, e.piece_ref, line.account,
                line.account_label, line.aux_number, line.aux_label, line.label, _amount(line.debit),
                _amount(line.credit), e.due_date.strftime("%d/%m/%Y") if e.due_date else "", e.market_number,
            ])
    return rows


def write_csv(entries: Sequence[Entry], accounts: Accounts = Accounts()) -> str:
    """French CSV (semicolon, decimal comma, dates dd/mm/yyyy) as accounting software imports it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(entries, accounts))
    return out.getvalue()


@dataclass
class Totals:
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    entries: int = 0
    by_account: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)


def totals(entries: Sequence[Entry]) -> Totals:
    result = Totals()
    for e in entries:
        result.entries += 1
        for line in e.lines:
            result.debit += line.debit
            result.credit += line.credit
            d, c = result.by_account.get(line.account, (ZERO, ZERO))
            result.by_account[line.account] = (d + line.debit, c + line.credit)
    return result
