"""From the database to the pure sales journal, and the company-wide list of situations and invoices."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, Q

from chorusbat.books import journal
from chorusbat.books.models import AccountingSettings
from chorusbat.chorus.enums import InvoiceStatus
from chorusbat.situations.models import RateAmount, Situation, Status

PAID = InvoiceStatus.MISE_EN_PAIEMENT
# An invoice with one of these Chorus Pro statuses is no longer awaiting payment (paid, or gone).
NOT_AWAITED = (InvoiceStatus.MISE_EN_PAIEMENT, InvoiceStatus.REJETEE, InvoiceStatus.ABANDONNEE, InvoiceStatus.SUPPRIMEE)
PAYMENT_DELAYS = (30, 50, 60)
# Received by Chorus Pro: only then does the buyer's payment delay run.
RECEIVED_STATES = ("deposited", "integrated")


def due_date(situation: Situation) -> datetime.date:
    """Invoice date + the market's payment delay (CCP R2192-10)."""
    return situation.date + datetime.timedelta(days=situation.market.payment_delay_days)


def overdue_q(today: datetime.date) -> Q:
    """Validated invoices received by Chorus Pro whose due date has passed without « mise en paiement ».

    The due date is the invoice date plus the market's payment delay (30, 50 or 60 days, its only choices).
    """
    due_passed = Q()
    for days in PAYMENT_DELAYS:
        due_passed |= Q(market__payment_delay_days=days, date__lt=today - datetime.timedelta(days=days))
    return (Q(status=Status.VALIDATED, transmission__state__in=RECEIVED_STATES) & due_passed
            & ~Q(transmission__chorus_status__in=NOT_AWAITED))


def overdue_invoices(company, today: datetime.date | None = None):
    today = today or datetime.date.today()
    return Situation.objects.filter(company=company).filter(overdue_q(today))


def invoice_from(situation: Situation) -> journal.Invoice:
    """The frozen figures of a validated (or rejected) situation as the journal takes them."""
    market = situation.market
    return journal.Invoice(
        number=situation.number, date=situation.date, buyer_name=market.buyer_name, buyer_siret=market.buyer_siret,
        market_number=market.number,
        rates=tuple(journal.RateFigures(r.rate, r.a + r.d, r.b) for r in situation.rate_amounts.all()),
        penalties=situation.c_amount, advance_paid=situation.e_amount, advance_recovered=situation.f_amount,
        retention=situation.g_amount, net=situation.net_amount, due_date=due_date(situation),
        validated_on=situation.validated_at.date() if situation.validated_at else None,
    )


def journal_items(company, start: datetime.date, end: datetime.date) -> list[journal.JournalItem]:
    """Invoices dated within [start, end], and reversals of rejected invoices replaced within it.

    A rejected invoice keeps its number and its entry; its cancellation is dated on its corrective invoice.
    """
    base = (Situation.objects.filter(company=company)
            .select_related("market", "corrective")
            .prefetch_related(Prefetch("rate_amounts", queryset=RateAmount.objects.order_by("rate"))))
    items = [journal.JournalItem(invoice_from(s)) for s in
             base.filter(status__in=[Status.VALIDATED, Status.REJECTED], date__gte=start, date__lte=end)]
    for s in base.filter(status=Status.REJECTED, corrective__date__gte=start, corrective__date__lte=end):
        items.append(journal.JournalItem(invoice_from(s), reversal=True, on=s.corrective.date))
    return items


def sales_journal(company, start: datetime.date, end: datetime.date) -> tuple[list[journal.Entry], journal.Accounts]:
    accounts = AccountingSettings.for_company(company).accounts()
    return journal.build_journal(journal_items(company, start, end), accounts), accounts


def render_journal(company, start: datetime.date, end: datetime.date, fmt: str) -> str:
    entries, accounts = sales_journal(company, start, end)
    return journal.write_fec(entries, accounts) if fmt == "fec" else journal.write_csv(entries, accounts)


def fec_filename(company, end: datetime.date) -> str:
    """``SIRENFECAAAAMMJJ.txt``, the name the administration expects (SIREN = the SIRET's first nine digits)."""
    return f"{company.siret[:9]}FEC{end:%Y%m%d}.txt"
