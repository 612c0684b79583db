"""Late-payment interest of a company's invoices, from the database to :mod:`chorusbat.engine.late_interest`.

Due date: the *Factures* rule (:func:`chorusbat.books.services.due_date`). Payment date: the date of the first
« MISE_EN_PAIEMENT » status in the invoice's Chorus Pro history (Europe/Paris day); when the history has no date
for it, the date the transmission reached that status.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Prefetch
from django.utils import timezone

from chorusbat.books.services import PAID, due_date
from chorusbat.contracts.models import EcbRate
from chorusbat.engine.late_interest import LatePayment, MissingRate, late_payment
from chorusbat.gateway.models import ChorusStatusChange
from chorusbat.situations.models import Situation, Status


@dataclass
class InvoiceInterest:
    situation: Situation
    due_date: datetime.date
    paid_on: datetime.date | None
    result: LatePayment | None  # None when not paid, or when the ECB rate is missing
    missing_rate: MissingRate | None = None

    @property
    def is_late(self) -> bool:
        return self.missing_rate is not None or (self.result is not None and self.result.is_late)

    def as_json(self) -> dict:
        s = self.situation
        data = {"invoice": s.number, "invoice_date": s.date.isoformat(), "market": s.market.number,
                "buyer": s.market.buyer_name, "buyer_siret": s.market.buyer_siret,
                "due_date": self.due_date.isoformat(), "paid_on": self.paid_on.isoformat() if self.paid_on else None}
        if self.missing_rate is not None:
            data["error"] = str(self.missing_rate)
            data["days_late"] = (self.paid_on - self.due_date).days
        elif self.result is not None:
            result = self.result.as_json()
            data.update({key: result[key] for key in ("days_late", "ecb_rate", "rate", "principal", "interest",
                                                      "indemnity", "total")})
        return data


def _local_day(moment: datetime.datetime | None) -> datetime.date | None:
    if moment is None:
        return None
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def payment_date(situation: Situation) -> datetime.date | None:
    """The day Chorus Pro says the payment was made (« mise en paiement »), or None."""
    transmission = getattr(situation, "transmission", None)
    if transmission is None:
        return None
    changes = getattr(transmission, "paid_changes", None)
    if changes is None:
        changes = list(transmission.status_changes.filter(status=PAID, at__isnull=False).order_by("at"))
    if changes:
        return _local_day(changes[0].at)
    if transmission.chorus_status == PAID:
        return _local_day(transmission.chorus_status_at)
    return None


def paid_invoices(company):
    return (Situation.objects.filter(company=company, status=Status.VALIDATED, transmission__chorus_status=PAID)
            .select_related("market", "transmission")
            .prefetch_related(Prefetch("transmission__status_changes", to_attr="paid_changes",
                                       queryset=ChorusStatusChange.objects.filter(status=PAID, at__isnull=False)
                                       .order_by("at")))
            .order_by("market__buyer_name", "market__buyer_siret", "date", "number"))


def invoice_interest(situation: Situation, rates: dict | None = None) -> InvoiceInterest:
    rates = EcbRate.table() if rates is None else rates
    due = due_date(situation)
    paid = payment_date(situation)
    if paid is None:
        return InvoiceInterest(situation, due, None, None)
    try:
        return InvoiceInterest(situation, due, paid, late_payment(situation.net_amount, due, paid, rates))
    except MissingRate as error:
        return InvoiceInterest(situation, due, paid, None, error)


def late_invoices(company) -> list[InvoiceInterest]:
    """The company's invoices paid after their due date, by buyer then date."""
    rates = EcbRate.table()
    rows = (invoice_interest(s, rates) for s in paid_invoices(company))
    return [row for row in rows if row.is_late]


@dataclass
class BuyerSummary:
    name: str
    siret: str
    rows: list[InvoiceInterest]

    @property
    def computed(self) -> list[InvoiceInterest]:
        return [r for r in self.rows if r.result is not None]

    @property
    def principal(self):
        return sum((r.result.principal for r in self.computed), start=_zero())

    @property
    def interest(self):
        return sum((r.result.interest for r in self.computed), start=_zero())

    @property
    def indemnity(self):
        return sum((r.result.indemnity for r in self.computed), start=_zero())

    @property
    def total(self):
        return self.interest + self.indemnity

    @property
    def incomplete(self) -> bool:
        return len(self.computed) != len(self.rows)


def _zero():
    from decimal import Decimal

    return Decimal("0.00")


def by_buyer(rows: list[InvoiceInterest]) -> list[BuyerSummary]:
    key = lambda r: (r.situation.market.buyer_name, r.situation.market.buyer_siret)  # noqa: E731
    return [BuyerSummary(name, siret, list(group)) for (name, siret), group in groupby(rows, key=key)]
