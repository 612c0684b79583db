"""Monthly situations (projets de décompte mensuels) of a market.

A situation stores only its *inputs* while it is a draft: the cumulative progress per line, the index value,
penalties and advance paid. Its amounts are always the computation engine's, obtained through
:mod:`chorusbat.situations.services`. When an administrator validates it, the engine's figures are written into
the ``*_amount`` fields below (and into :class:`LineAmount` / :class:`RateAmount`) and the situation is frozen:
its décompte can never change afterwards; corrections go into the next, cumulative, situation.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from chorusbat.accounts.models import Company
from chorusbat.engine import limits
from chorusbat.figures import RATE_FIGURES, WRITTEN, column
from chorusbat.markets.bounds import between
from chorusbat.markets.models import ContractLine, Market
from chorusbat.web.french_format import month_year

MONEY = {"max_digits": limits.MONEY_MAX_DIGITS, "decimal_places": limits.MONEY_DECIMALS}


def money_field(**kwargs):
    return models.DecimalField(null=True, blank=True, editable=False, **MONEY, **kwargs)


def money_bounds(prefix: str, *fields: str, nullable: bool = False, low=None) -> list[models.CheckConstraint]:
    """Every amount within ``limits.MAX_AMOUNT`` (negative allowed unless ``low`` is given)."""
    low = -limits.MAX_AMOUNT if low is None else low
    return [between(name, low, limits.MAX_AMOUNT, nullable=nullable, name=f"{prefix}_{name}_in_range")
            for name in fields]


TOTAL_COLUMNS = tuple(column(name) for name in WRITTEN)


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    VALIDATED = "validated", _("validated")
    # Rejected by the buyer in Chorus Pro and replaced by a corrective situation (``corrective``), which takes
    # its place in the market's chain; the rejected invoice stays on record with its number.
    REJECTED = "rejected", _("rejected, replaced")


class Situation(models.Model):
    """One monthly progress statement; its ``number`` is the invoice identifier (numéro de facture)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="situations")
    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="situations")
    number = models.CharField(_("invoice identifier"), max_length=20)
    period = models.DateField(_("period"), help_text=_("First day of the month the situation covers."))
    date = models.DateField(_("invoice date"))
    index_value = models.DecimalField(_("index value"), max_digits=limits.INDEX_MAX_DIGITS,
                                      decimal_places=limits.INDEX_DECIMALS, null=True, blank=True)
    advance_paid = models.DecimalField(_("advance to pay (e)"), default=Decimal("0.00"), **MONEY)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="corrective", editable=False)
    # The projet de décompte final (CCAG-Travaux art. 12.3): the market's last statement, with its final
    # quantities; the advance is recovered in full in it. At most one per market (besides rejected ones).
    final = models.BooleanField(_("final statement"), default=False, editable=False)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    validated_at = models.DateTimeField(null=True, blank=True)

    # The engine's figures, written once at validation (empty for drafts).
    coefficient = models.DecimalField(max_digits=limits.COEFFICIENT_MAX_DIGITS,
                                      decimal_places=limits.COEFFICIENT_DECIMALS, null=True, blank=True,
                                      editable=False)
    cumulative_ht = money_field()
    a_amount = money_field()
    d_amount = money_field()
    b_amount = money_field()
    ttc_amount = money_field()
    c_amount = money_field()
    e_amount = money_field()
    f_amount = money_field()
    g_amount = money_field()
    net_amount = money_field()
    advance_recovered_cumulative = money_field()
    cumulative_ttc_initial = money_field()

    class Meta:
        verbose_name = _("situation")
        ordering = ["market", "period"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="situation_number_unique_per_company"),
            models.UniqueConstraint(fields=["market", "period"], name="situation_period_unique_per_market",
                                    condition=~models.Q(status="rejected")),
            models.UniqueConstraint(fields=["market"], name="situation_one_final_statement_per_market",
                                    condition=models.Q(final=True) & ~models.Q(status="rejected")),
            between("period", limits.MIN_DATE, limits.MAX_DATE, name="situation_period_in_range"),
            between("date", limits.MIN_DATE, limits.MAX_DATE, name="situation_date_in_range"),
            between("index_value", limits.MIN_INDEX, limits.MAX_INDEX, nullable=True,
                    name="situation_index_in_range"),
            between("coefficient", 0, limits.MAX_COEFFICIENT, nullable=True, name="situation_coefficient_in_range"),
            *money_bounds("situation", "advance_paid", low=0),
            *money_bounds("situation", *TOTAL_COLUMNS, nullable=True),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.period:%Y-%m})"

    @property
    def is_validated(self) -> bool:
        return self.status == Status.VALIDATED

    @property
    def is_draft(self) -> bool:
        """Only a draft may be edited, validated or deleted; a validated or rejected situation never changes."""
        return self.status == Status.DRAFT

    @property
    def is_rejected(self) -> bool:
        return self.status == Status.REJECTED

    @property
    def replaced_by(self) -> Situation | None:
        """The corrective situation that took this one's place, if any."""
        try:
            return self.corrective
        except Situation.DoesNotExist:
            return None

    @property
    def badge(self) -> tuple[str, str]:
        """(css class, label) of the situation's one status, following its invoice in Chorus Pro to « payée »."""
        if self.is_draft:
            return "warn", str(_("draft"))
        if self.is_rejected:
            return "bad", str(_("rejected"))
        try:
            t = self.transmission
        except ObjectDoesNotExist:
            return "ok", str(_("validated"))
        if t.is_paid:
            return "ok", str(_("paid"))
        if t.is_refused:
            return "bad", str(_("rejected"))
        if t.can_complete:
            return "bad", str(_("suspended"))
        if t.can_recycle:
            return "bad", str(_("to be recycled"))
        if t.state in ("failed",):
            return "bad", str(_("refused by Chorus Pro"))
        if t.state in ("held",):
            return "warn", str(t.get_state_display())  # the transmission's own word, as on the dashboard
        if t.state == "integrated":
            return "ok", str(_("sent"))
        return "", str(_("being sent"))

    @property
    def period_label(self) -> str:
        return f"{self.period:%Y-%m}"

    @property
    def period_display(self) -> str:
        """The period for people: « novembre 2026 »."""
        return month_year(self.period)


class Progress(models.Model):
    """One cell of the progress grid: cumulative % (lump-sum line) or cumulative quantity (unit-price line)."""

    situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="progress")
    line = models.ForeignKey(ContractLine, on_delete=models.PROTECT, related_name="progress")
    value = models.DecimalField(max_digits=limits.QUANTITY_MAX_DIGITS, decimal_places=limits.QUANTITY_DECIMALS)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["situation", "line"], name="progress_unique_per_line"),
            between("value", 0, limits.MAX_QUANTITY, name="progress_value_in_range"),
        ]


class Penalty(models.Model):
    """A penalty deducted from the situation (item c): outside VAT, not revised."""

    situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="penalties")
    label = models.CharField(_("label"), max_length=200)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["id"]
        constraints = money_bounds("penalty", "amount", low=0)


class LineAmount(models.Model):
    """Frozen per-line figures of a validated situation."""

    situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="line_amounts")
    line = models.ForeignKey(ContractLine, on_delete=models.PROTECT, related_name="+")
    cumulative = models.DecimalField(**MONEY)
    previous = models.DecimalField(**MONEY)
    period = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["line__position", "line_id"]
        constraints = money_bounds("line_amount", "cumulative", "previous", "period")


class RateAmount(models.Model):
    """Frozen per-VAT-rate figures of a validated situation."""

    situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="rate_amounts")
    rate = models.DecimalField(max_digits=4, decimal_places=1)
    cumulative_ht = models.DecimalField(**MONEY)
    a = models.DecimalField(**MONEY)
    d = models.DecimalField(**MONEY)
    b = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["rate"]
        constraints = money_bounds("rate_amount", "cumulative_ht", *RATE_FIGURES)
