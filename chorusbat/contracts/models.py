"""Reference data of the contract's life: the ECB rates (late-payment interest) and the BT/TP index series.

Both tables are shared by every company (they are public figures); administrators maintain them on their screens.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
