"""The end of a market, as the screens, the API and the reminders see it (``docs/end-of-contract.md``).

:func:`overview` gathers what the « Fin du marché » page shows: the final statement and its sending (from the
situations and the gateway), the retention held (Σ item g of the validated situations, never typed), the four
deadlines of :mod:`chorusbat.contracts.deadlines`. :func:`record` writes one step (réception, décompte général,
answer, DGD, release) from a valid form, under a lock of the market's closing row; a recorded DGD never changes
afterwards, except for the release of the retention.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chorusbat.contracts import deadlines
from chorusbat.contracts.models import ClaimHead, MarketClosing
from chorusbat.situations.services import final_statement

CENT = Decimal("0.01")
STEPS = ("reception", "general-statement", "answer", "dgd", "release")


class ClosingError(Exception):
    """A step refused for the state of the market's end (the DGD already recorded…): ``messages`` in French."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__(" ".join(messages))


def closing_of(market) -> MarketClosing:
    """The market's closing row, or an unsaved empty one."""
    try:
        return market.closing
    except MarketClosing.DoesNotExist:
        return MarketClosing(market=market)


def sent_on(situation) -> datetime.date | None:
    """The day the situation was deposited in Chorus Pro (None: not sent through chorusbat yet)."""
    if situation is None:
        return None
    transmission = getattr(situation, "transmission", None)  # the gateway's row, if any
    if transmission is None or transmission.deposited_at is None:
        return None
    return timezone.localdate(transmission.deposited_at)


def retention_held(market) -> Decimal:
    """Σ item g of the market's validated situations: what the buyer holds as retention."""
    total = market.situations.filter(status="validated").aggregate(total=Sum("g_amount"))["total"]
    # A sum of cent amounts is exact; SQLite hands it back as a float-born decimal: back to the cent.
    return Decimal(total or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def dates_of(closing: MarketClosing, final_sent: datetime.date | None) -> deadlines.ClosingDates:
    return deadlines.ClosingDates(
        reception=closing.reception_date, final_sent=final_sent, dg_notified=closing.dg_notified_on,
        answered=closing.answer_on, dgd=closing.dgd_on, released=closing.released_on,
        guarantee_months=closing.guarantee_months)


@dataclass
class Overview:
    market: object
    closing: MarketClosing
    final: object  # the final statement situation, or None
    final_sent: datetime.date | None
    retention: Decimal
    guarantee_instead: bool  # no retention (rate 0): a first-demand guarantee, whose mainlevée is followed
    timeline: list[deadlines.Deadline]
    tacit_open: bool
    deemed_accepted: bool
    guarantee_end: datetime.date | None

    @property
    def dgd_recorded(self) -> bool:
        return self.closing.dgd_on is not None

    @property
    def settled(self) -> bool:
        return self.closing.is_settled

    def allowed(self, step: str) -> bool:
        """Whether ``step`` may be recorded now (the forms shown, the API accepting it)."""
        c = self.closing
        if step == "release":
            return c.reception_date is not None and (c.released_on is None or c.dgd_on is None)
        if c.dgd_on is not None:
            return False
        if step == "reception":
            return True
        if step == "general-statement":
            return c.reception_date is not None
        if step == "answer":
            return c.dg_notified_on is not None
        if step == "dgd":
            return c.reception_date is not None and (c.answer == MarketClosing.Answer.RESERVES or (
                c.dg_notified_on is None and self.tacit_open))
        return False


def overview(market, today: datetime.date | None = None) -> Overview:
    today = today or timezone.localdate()
    closing = closing_of(market)
    final = final_statement(market, related=("transmission",))  # sent_on reads its transmission
    final_sent = sent_on(final)
    dates = dates_of(closing, final_sent)
    return Overview(
        market=market, closing=closing, final=final, final_sent=final_sent, retention=retention_held(market),
        guarantee_instead=not market.retention_rate, timeline=deadlines.timeline(dates, today),
        tacit_open=deadlines.tacit_procedure_open(dates, today),
        deemed_accepted=deadlines.deemed_accepted(dates, today),
        guarantee_end=deadlines.guarantee_end(closing.reception_date, closing.guarantee_months),
    )


REFUSED = {
    "reception": lambda: _("The DGD is recorded: the end of this market no longer changes."),
    "general-statement": lambda: _("Record the réception first; once the DGD is recorded, the décompte général "
                                   "no longer changes."),
    "answer": lambda: _("Record the décompte général received first; once the DGD is recorded, the answer no "
                        "longer changes."),
    "dgd": lambda: _("The DGD is recorded by hand only after an answer with reserves (the dispute settled) or, "
                     "without a décompte général, once the tacit procedure is open; it never changes afterwards."),
    "release": lambda: _("Record the réception first; once the DGD and the release are recorded, they no longer "
                         "change."),
}


@transaction.atomic
def record(market, step: str, form, user, today: datetime.date | None = None) -> MarketClosing:
    """Write ``step`` from ``form`` (valid, built on the closing row read before): the row is locked and the
    step checked again, so two people recording at once cannot pass a recorded DGD."""
    if step not in STEPS:
        raise ValueError(step)
    MarketClosing.objects.get_or_create(market=market)
    locked = MarketClosing.objects.select_for_update().get(market=market)
    market.closing = locked
    view = overview(market, today)
    if not view.allowed(step) or _changed_under(form.closing, locked):
        raise ClosingError([REFUSED[step]()])
    data = form.cleaned_data
    if step == "reception":
        locked.reception_date, locked.guarantee_months = data["reception_date"], data["guarantee_months"]
    elif step == "general-statement":
        locked.dg_notified_on, locked.dg_amount_ttc = data["dg_notified_on"], data["dg_amount_ttc"]
        locked.dg_amount_ht, locked.dg_reserves = data.get("dg_amount_ht"), data.get("dg_reserves") or ""
    elif step == "answer":
        locked.answer, locked.answer_on = data["answer"], data["answer_on"]
        locked.claim_heads.all().delete()
        if locked.answer == MarketClosing.Answer.ACCEPTED:
            locked.claim_grounds, locked.dgd_on = "", locked.answer_on  # signed without reserves: the DGD
        else:
            locked.claim_grounds = data.get("claim_grounds") or ""
            ClaimHead.objects.bulk_create(
                ClaimHead(closing=locked, position=i, label=label, amount=amount, justification=justification)
                for i, (label, amount, justification) in enumerate(form.claim_rows()))
    elif step == "dgd":
        locked.dgd_on = data["dgd_on"]
    elif step == "release":
        locked.released_on = data["released_on"]
    locked.updated_by = user
    locked.save()
    return locked


def _changed_under(read: MarketClosing, locked: MarketClosing) -> bool:
    """The row changed between the form's read and the lock (another person recorded a step meanwhile)."""
    if read.pk is None:
        return False
    return read.updated_at != locked.updated_at
