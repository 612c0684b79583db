"""Every situation and invoice of a company, across markets: filters, sorting, totals, rows for exports."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.db.models import Case, DateField, F, Q, Sum, Value, When
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chorusbat.books.services import NOT_AWAITED, PAID, PAYMENT_DELAYS, overdue_q
from chorusbat.chorus.enums import InvoiceStatus
from chorusbat.situations.models import Situation, Status

STATUS_CHOICES = [
    ("", _("all")),
    ("draft", _("draft")),
    ("validated", _("validated, not sent")),
    ("sent", _("sent, awaiting payment")),
    ("paid", _("payment ordered")),
    ("rejected", _("rejected")),
]
SORTS = {
    "date": ("date", "number"), "-date": ("-date", "-number"),
    "number": ("number",), "-number": ("-number",),
    "market": ("market__number", "date"), "buyer": ("market__buyer_name", "date"),
    "net": ("net_amount", "number"), "-net": ("-net_amount", "number"),
    "due": ("due", "number"), "-due": ("-due", "number"),
}
SORT_CHOICES = [
    ("-date", _("invoice date, newest first")), ("date", _("invoice date, oldest first")),
    ("number", _("invoice number")), ("-number", _("invoice number, descending")),
    ("market", _("market")), ("buyer", _("buyer")),
    ("-net", _("net to pay, largest first")), ("net", _("net to pay, smallest first")),
    ("due", _("due date, soonest first")), ("-due", _("due date, latest first")),
]


def _date_field(label):
    return forms.DateField(label=label, required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class InvoiceFilter(forms.Form):
    statut = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    marche = forms.TypedChoiceField(label=_("Market"), required=False, coerce=int, empty_value=None)
    acheteur = forms.ChoiceField(label=_("Buyer"), required=False)
    du = _date_field(_("Invoice date from"))
    au = _date_field(_("to"))
    echeance_du = _date_field(_("Due date from"))
    echeance_au = _date_field(_("to"))
    retard = forms.BooleanField(label=_("Overdue only"), required=False)
    tri = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, company, *args, **kwargs):
        super().__init__(*args, **kwargs)
        markets = company.markets.order_by("number")
        self.fields["marche"].choices = [("", gettext("all"))] + [(m.pk, f"{m.number} — {m.title}") for m in markets]
        buyers = sorted({(m.buyer_siret, m.buyer_name) for m in markets}, key=lambda b: b[1])
        self.fields["acheteur"].choices = [("", gettext("all"))] + [(s, f"{n} ({s})") for s, n in buyers]

    def clean(self):
        data = super().clean()
        for start, end in (("du", "au"), ("echeance_du", "echeance_au")):
            if data.get(start) and data.get(end) and data[end] < data[start]:
                self.add_error(end, _("The end of the period is before its start."))
        return data


def _due_between(start: datetime.date | None, end: datetime.date | None) -> Q:
    q = Q()
    for days in PAYMENT_DELAYS:
        part = Q(market__payment_delay_days=days)
        if start:
            part &= Q(date__gte=start - datetime.timedelta(days=days))
        if end:
            part &= Q(date__lte=end - datetime.timedelta(days=days))
        q |= part
    return q


def due_expression():
    return Case(*[When(market__payment_delay_days=days, then=F("date") + Value(datetime.timedelta(days=days)))
                  for days in PAYMENT_DELAYS], default=F("date"), output_field=DateField())


def filtered(company, data: dict, today: datetime.date | None = None):
    """The company's situations matching the cleaned filter ``data`` (invalid filters are simply left out)."""
    today = today or datetime.date.today()
    qs = (Situation.objects.filter(company=company).select_related("market", "transmission")
          .annotate(due=due_expression()))
    status = data.get("statut")
    if status == "draft":
        qs = qs.filter(status=Status.DRAFT)
    elif status == "validated":
        qs = qs.filter(status=Status.VALIDATED, transmission__isnull=True)
    elif status == "sent":
        qs = qs.filter(status=Status.VALIDATED, transmission__isnull=False).exclude(
            transmission__chorus_status__in=NOT_AWAITED)
    elif status == "paid":
        qs = qs.filter(transmission__chorus_status=PAID)
    elif status == "rejected":
        qs = qs.filter(Q(status=Status.REJECTED) | Q(transmission__chorus_status=InvoiceStatus.REJETEE))
    if data.get("marche"):
        qs = qs.filter(market_id=data["marche"])
    if data.get("acheteur"):
        qs = qs.filter(market__buyer_siret=data["acheteur"])
    if data.get("du"):
        qs = qs.filter(date__gte=data["du"])
    if data.get("au"):
        qs = qs.filter(date__lte=data["au"])
    if data.get("echeance_du") or data.get("echeance_au"):
        qs = qs.filter(_due_between(data.get("echeance_du"), data.get("echeance_au")))
    if data.get("retard"):
        qs = qs.filter(overdue_q(today))
    return qs.order_by(*SORTS.get(data.get("tri") or "-date", SORTS["-date"]))


def overdue_among(pks, today: datetime.date | None = None) -> set[int]:
    today = today or datetime.date.today()
    return set(Situation.objects.filter(pk__in=list(pks)).filter(overdue_q(today)).values_list("pk", flat=True))


@dataclass
class ListTotals:
    count: int
    invoices: int
    ht: Decimal
    vat: Decimal
    ttc: Decimal
    net: Decimal


def totals(qs) -> ListTotals:
    """Sums over the invoices of the filter (drafts have no figures yet and count for nothing)."""
    sums = qs.order_by().aggregate(a=Sum("a_amount"), d=Sum("d_amount"), b=Sum("b_amount"), ttc=Sum("ttc_amount"),
                                   net=Sum("net_amount"))
    zero = Decimal("0.00")
    return ListTotals(
        count=qs.count(), invoices=qs.exclude(status=Status.DRAFT).count(),
        ht=(sums["a"] or zero) + (sums["d"] or zero), vat=sums["b"] or zero, ttc=sums["ttc"] or zero,
        net=sums["net"] or zero,
    )


def status_label(situation: Situation) -> str:
    transmission = getattr(situation, "transmission", None) if situation.status != Status.DRAFT else None
    if situation.status == Status.REJECTED:
        return str(situation.get_status_display())
    if transmission is not None:
        return transmission.chorus_status_label
    return str(situation.get_status_display())


EXPORT_COLUMNS = (
    _("Invoice"), _("Invoice date"), _("Period"), _("Market"), _("Buyer"), _("Buyer SIRET"), _("Excl. VAT"),
    _("VAT"), _("Incl. VAT"), _("Net to pay"), _("Due date"), _("Status"), _("Overdue"),
)


def export_rows(qs, today: datetime.date | None = None):
    """One row per situation of the filter, amounts as ``Decimal`` (None for drafts), dates as ``date``."""
    today = today or datetime.date.today()
    overdue = set(qs.order_by().filter(overdue_q(today)).values_list("pk", flat=True))
    for s in qs.iterator(chunk_size=500):
        drafted = s.status == Status.DRAFT
        yield [
            s.number, s.date, s.period_label, s.market.number, s.market.buyer_name, s.market.buyer_siret,
            None if drafted else s.a_amount + s.d_amount, None if drafted else s.b_amount,
            None if drafted else s.ttc_amount, None if drafted else s.net_amount,
            s.date + datetime.timedelta(days=s.market.payment_delay_days), status_label(s),
            gettext("yes") if s.pk in overdue else "",
        ]
