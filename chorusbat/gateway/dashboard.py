"""The company dashboard: where each invoice stands, what needs action, and money paid and awaited by month.

Everything is computed here, in a few queries whatever the number of invoices; the template only draws. The chart
is an SVG whose coordinates are computed below (no JavaScript, no external library).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils.text import capfirst

from chorusbat.books.services import overdue_invoices
from chorusbat.chorus.enums import NEEDS_ACTION_STATUSES, InvoiceStatus
from chorusbat.gateway.labels import status_label
from chorusbat.gateway.machine import overdue_transmissions, ready_to_send
from chorusbat.gateway.models import Transmission
from chorusbat.situations.models import Situation, Status

State = Transmission.State
PAID = InvoiceStatus.MISE_EN_PAIEMENT
CHART_MONTHS = 12
READY_SHOWN = 10
CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 720, 220, 6


@dataclass
class Bar:
    x: float
    y: float
    height: float
    width: float
    amount: Decimal


def _row_label(state: str, chorus_status: str) -> str:
    if state == State.INTEGRATED and chorus_status:
        return capfirst(status_label(chorus_status))
    return capfirst(str(State(state).label))


def build(company) -> dict:
    rows = (
        Transmission.objects.filter(company=company)
        .values("state", "chorus_status")
        .annotate(count=Count("id"), amount=Sum("situation__net_amount"))
        .order_by("state", "chorus_status")
    )
    by_status = [
        {"label": _row_label(r["state"], r["chorus_status"]), "count": r["count"], "amount": r["amount"] or 0,
         "needs_action": r["chorus_status"] in NEEDS_ACTION_STATUSES or r["state"] in (State.HELD, State.FAILED)}
        for r in rows
    ]
    action = list(
        Transmission.objects.filter(company=company)
        .filter(state__in=[State.HELD, State.FAILED]).exclude(situation__status=Status.REJECTED)
        .select_related("situation__market").order_by("-updated_at")[:50]
    ) + list(
        Transmission.objects.filter(company=company, state=State.INTEGRATED, chorus_status__in=NEEDS_ACTION_STATUSES)
        .exclude(situation__status=Status.REJECTED)  # replaced by a corrective: handled
        .select_related("situation__market").order_by("-updated_at")[:50]
    )
    # Counted and summed in SQL, ten shown: a company may have hundreds validated and not sent.
    ready = ready_to_send(company)
    ready_figures = ready.aggregate(count=Count("id"), total=Sum("net_amount"))
    drafts = list(Situation.objects.filter(company=company, status=Status.DRAFT).select_related("market")
                  .order_by("market_id", "period")[:50])
    overdue = overdue_transmissions(company.pk).select_related("situation__market").order_by("next_attempt_at")

    unpaid = overdue_invoices(company).aggregate(count=Count("id"), amount=Sum("net_amount"))
    return {"by_status": by_status, "needs_action": action, "chart": monthly_chart(company),
            "ready": list(ready[:READY_SHOWN]), "ready_count": ready_figures["count"],
            "ready_total": ready_figures["total"] or Decimal("0"),
            "drafts": drafts,
            "overdue": list(overdue[:50]), "overdue_count": overdue.count(),
            "unpaid_count": unpaid["count"], "unpaid_amount": unpaid["amount"] or 0}


def _months(end: date, count: int) -> list[date]:
    months, y, m = [], end.year, end.month
    for _i in range(count):
        months.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return list(reversed(months))


def nice_ceiling(amount: Decimal) -> Decimal:
    """The value axis' top: 1, 2, 2.5 or 5 × a power of ten, at least the amount (100 € when nothing to draw), so
    that the four graduations are round amounts."""
    amount = max(Decimal(amount), Decimal("100"))
    power = Decimal(10) ** (len(str(int(amount))) - 1)
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if step * power >= amount:
            return step * power
    return 10 * power


def monthly_chart(company, today: date | None = None) -> dict:
    """Paid (month of payment) and awaited (month of the invoice) net amounts over the last 12 months."""
    today = today or date.today()
    months = _months(today, CHART_MONTHS)
    paid = OrderedDict((m, Decimal("0")) for m in months)
    awaited = OrderedDict((m, Decimal("0")) for m in months)
    qs = Transmission.objects.filter(company=company, state__in=[State.DEPOSITED, State.INTEGRATED])
    for r in (qs.filter(chorus_status=PAID).annotate(month=TruncMonth("chorus_status_at"))
              .values("month").annotate(total=Sum("situation__net_amount"))):
        key = r["month"].date() if hasattr(r["month"], "date") else r["month"]
        if key in paid:
            paid[key] += r["total"] or 0
    for r in (qs.exclude(chorus_status__in=[PAID, InvoiceStatus.REJETEE]).annotate(month=TruncMonth("situation__date"))
              .values("month").annotate(total=Sum("situation__net_amount"))):
        key = r["month"].date() if hasattr(r["month"], "date") else r["month"]
        if key in awaited:
            awaited[key] += r["total"] or 0

    top = nice_ceiling(max([*paid.values(), *awaited.values()]))
    slot = CHART_WIDTH / CHART_MONTHS
    bar_w = (slot - BAR_GAP * 3) / 2
    columns = []
    for i, month in enumerate(months):
        x0 = i * slot + BAR_GAP
        bars = []
        for j, amount in enumerate((paid[month], awaited[month])):
            h = float(amount / top) * (CHART_HEIGHT - 20) if amount > 0 else 0.0
            bars.append(Bar(x=round(x0 + j * (bar_w + BAR_GAP), 1), y=round(CHART_HEIGHT - h, 1),
                            height=round(h, 1), width=round(bar_w, 1), amount=amount))
        columns.append({"month": month, "label_x": round(i * slot + slot / 2, 1), "paid": bars[0], "awaited": bars[1]})
    ticks = [{"y": round(CHART_HEIGHT - float(Decimal(i) / 4) * (CHART_HEIGHT - 20), 1),
              "amount": (top * Decimal(i) / 4).quantize(Decimal("1"))} for i in range(5)]
    return {"columns": columns, "width": CHART_WIDTH, "height": CHART_HEIGHT, "max": top, "ticks": ticks,
            "total_paid": sum(paid.values()), "total_awaited": sum(awaited.values())}
