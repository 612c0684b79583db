"""Reference data of the contract's life: the ECB rates (late-payment interest) and the BT/TP index series —
both shared by every company (public figures, maintained by administrators) — and the end of each market
(:class:`MarketClosing`: réception, décompte général, DGD, retention release, with the reminders sent)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chorusbat.contracts import deadlines
from chorusbat.engine import limits
from chorusbat.markets.bounds import between


class EcbRate(models.Model):
    """The ECB main refinancing rate in force on the first day of a half-year (1 January or 1 July)."""

    half_year = models.DateField(_("half-year starting on"), unique=True)
    rate = models.DecimalField(_("ECB main refinancing rate (%)"), max_digits=5,
                               decimal_places=limits.ECB_RATE_DECIMALS)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ECB rate")
        ordering = ["-half_year"]
        constraints = [
            between("rate", limits.MIN_ECB_RATE, limits.MAX_ECB_RATE, name="ecb_rate_in_range"),
            between("half_year", limits.MIN_DATE, limits.MAX_DATE, name="ecb_rate_half_year_in_range"),
            models.CheckConstraint(condition=models.Q(half_year__day=1, half_year__month__in=(1, 7)),
                                   name="ecb_rate_on_half_year_start"),
        ]

    def __str__(self) -> str:
        return f"{self.half_year:%Y-%m}: {self.rate} %"

    @property
    def label(self) -> str:
        return f"{self.half_year.year} S{1 if self.half_year.month == 1 else 2}"

    @property
    def moratorium_rate(self):
        return self.rate + limits.LATE_INTEREST_MARGIN

    @classmethod
    def table(cls) -> dict:
        return dict(cls.objects.values_list("half_year", "rate"))


class IndexValue(models.Model):
    """The value of a price index series (BT01, TP10a…) for one month, provisional or definitive."""

    class Source(models.TextChoices):
        IMPORT = "import", _("INSEE file")
        MANUAL = "manual", _("typed")

    series = models.CharField(_("index"), max_length=limits.INDEX_SERIES_MAX_LENGTH, db_index=True)
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    value = models.DecimalField(_("value"), max_digits=limits.INDEX_MAX_DIGITS, decimal_places=limits.INDEX_DECIMALS)
    provisional = models.BooleanField(_("provisional"), default=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("index value")
        ordering = ["series", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["series", "month"], name="index_value_one_per_series_month"),
            between("value", limits.MIN_INDEX, limits.MAX_INDEX, name="index_value_in_range"),
            between("month", limits.MIN_DATE, limits.MAX_DATE, name="index_month_in_range"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="index_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.month:%Y-%m} = {self.value}"


# ------------------------------------------------------------------------------------------- end of contract

MAX_RESERVES_LENGTH = 4000  # the buyer's reserves on the DG, as typed
MAX_CLAIM_HEADS = 6  # heads of claim of a mémoire en réclamation (rows of the form)
MAX_CLAIM_LABEL_LENGTH = 200
MAX_CLAIM_JUSTIFICATION_LENGTH = 2000


class MarketClosing(models.Model):
    """The end of a market: réception, décompte général (DG) and the company's answer, the DGD, the retention's
    release (``docs/end-of-contract.md``). One per market; what the market holds is never typed here (the
    retention is the sum of its validated situations' item g)."""

    class Answer(models.TextChoices):
        ACCEPTED = "accepted", _("signed without reserves (accepted)")
        RESERVES = "reserves", _("signed with reserves (mémoire en réclamation)")

    market = models.OneToOneField("markets.Market", on_delete=models.CASCADE, related_name="closing")
    reception_date = models.DateField(_("réception date"), null=True, blank=True,
                                      help_text=_("The date of the acceptance decision (réception des travaux)."))
    guarantee_months = models.PositiveSmallIntegerField(_("guarantee period (months)"),
                                                        default=deadlines.DEFAULT_GUARANTEE_MONTHS)
    dg_amount_ttc = models.DecimalField(_("amount of the décompte général incl. VAT"), null=True, blank=True,
                                        max_digits=limits.MONEY_MAX_DIGITS, decimal_places=limits.MONEY_DECIMALS)
    dg_amount_ht = models.DecimalField(_("amount of the décompte général excl. VAT"), null=True, blank=True,
                                       max_digits=limits.MONEY_MAX_DIGITS, decimal_places=limits.MONEY_DECIMALS)
    dg_notified_on = models.DateField(_("décompte général notified on"), null=True, blank=True)
    dg_reserves = models.TextField(_("the buyer's reserves"), blank=True, max_length=MAX_RESERVES_LENGTH)
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices, blank=True)
    answer_on = models.DateField(_("answer date"), null=True, blank=True)
    claim_grounds = models.TextField(_("grounds of the claim"), blank=True, max_length=MAX_CLAIM_JUSTIFICATION_LENGTH)
    dgd_on = models.DateField(_("DGD date"), null=True, blank=True)
    released_on = models.DateField(_("retention received on"), null=True, blank=True)

    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("end of the market")
        constraints = [
            between("guarantee_months", deadlines.MIN_GUARANTEE_MONTHS, deadlines.MAX_GUARANTEE_MONTHS,
                    name="closing_guarantee_months_in_range"),
            between("dg_amount_ttc", 0, limits.MAX_AMOUNT, nullable=True, name="closing_dg_ttc_in_range"),
            between("dg_amount_ht", 0, limits.MAX_AMOUNT, nullable=True, name="closing_dg_ht_in_range"),
            *(between(name, limits.MIN_DATE, limits.MAX_DATE, nullable=True, name=f"closing_{name}_in_range")
              for name in ("reception_date", "dg_notified_on", "answer_on", "dgd_on", "released_on")),
            models.CheckConstraint(condition=models.Q(answer__in=["", "accepted", "reserves"]),
                                   name="closing_answer_known"),
            # A DG is its amount and its date; an answer is its kind and its date, and answers a DG.
            models.CheckConstraint(condition=models.Q(dg_notified_on__isnull=True, dg_amount_ttc__isnull=True)
                                   | models.Q(dg_notified_on__isnull=False, dg_amount_ttc__isnull=False),
                                   name="closing_dg_amount_and_date"),
            models.CheckConstraint(condition=models.Q(answer="", answer_on__isnull=True)
                                   | (~models.Q(answer="") & models.Q(answer_on__isnull=False,
                                                                      dg_notified_on__isnull=False)),
                                   name="closing_answer_and_date"),
            # Signed without reserves, the DG becomes the DGD on the answer date.
            models.CheckConstraint(condition=~models.Q(answer="accepted")
                                   | models.Q(dgd_on__isnull=False, dgd_on=models.F("answer_on")),
                                   name="closing_accepted_is_dgd"),
            models.CheckConstraint(condition=models.Q(dgd_on__isnull=True) | models.Q(reception_date__isnull=False),
                                   name="closing_dgd_after_reception"),
            models.CheckConstraint(condition=models.Q(released_on__isnull=True)
                                   | models.Q(reception_date__isnull=False), name="closing_release_after_reception"),
        ]

    def __str__(self) -> str:
        return f"{self.market_id}: DGD {self.dgd_on or '—'}"

    @property
    def is_settled(self) -> bool:
        """« soldé »: the DGD is recorded and the retention (or the guarantee) released."""
        return self.dgd_on is not None and self.released_on is not None

    @property
    def release_due(self):
        return deadlines.plus_days(deadlines.guarantee_end(self.reception_date, self.guarantee_months),
                                   deadlines.RELEASE_DAYS)

    @property
    def badge(self) -> tuple[str, str] | None:
        """(css class, label) of the market's end, for the market list and page (None before the DGD)."""
        if self.dgd_on is None:
            return None
        if self.released_on is not None:
            return "ok", str(_("settled"))
        if self.release_due is None:
            return "warn", str(_("DGD"))
        date = self.release_due.strftime("%d/%m/%Y")
        if not self.market.retention_rate:
            return "warn", str(_("DGD — guarantee to release on %(date)s") % {"date": date})
        return "warn", str(_("DGD — retention to release on %(date)s") % {"date": date})


class ClaimHead(models.Model):
    """One head of claim of the mémoire en réclamation against the DG: its label, amount and justification."""

    closing = models.ForeignKey(MarketClosing, on_delete=models.CASCADE, related_name="claim_heads")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("head of claim"), max_length=MAX_CLAIM_LABEL_LENGTH)
    amount = models.DecimalField(_("amount claimed incl. VAT"), max_digits=limits.MONEY_MAX_DIGITS,
                                 decimal_places=limits.MONEY_DECIMALS)
    justification = models.TextField(_("justification"), max_length=MAX_CLAIM_JUSTIFICATION_LENGTH)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            between("amount", Decimal("0.01"), limits.MAX_AMOUNT, name="claim_head_amount_in_range"),
            between("position", 0, MAX_CLAIM_HEADS - 1, name="claim_head_position_in_range"),
            models.UniqueConstraint(fields=["closing", "position"], name="claim_head_position_unique"),
        ]


class ClosingReminder(models.Model):
    """An e-mail about one deadline of a market's end, recorded so that each (deadline, due date, days before) is
    sent once (``remind-closing-deadlines``)."""

    closing = models.ForeignKey(MarketClosing, on_delete=models.CASCADE, related_name="reminders")
    deadline = models.CharField(max_length=20)
    due = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["closing", "deadline", "due", "days_before"],
                                    name="one_closing_reminder_per_deadline"),
        ]
