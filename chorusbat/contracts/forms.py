"""Forms of the reference tables: an ECB rate of a half-year, an index value, an INSEE file to import."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from chorusbat.contracts.models import EcbRate
from chorusbat.engine import limits
from chorusbat.markets.forms import capitalise_labels
from chorusbat.markets.french_numbers import FrenchDecimalField

HALF = [(1, _("first half-year (1 January)")), (7, _("second half-year (1 July)"))]


class EcbRateForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=limits.MIN_YEAR, max_value=limits.MAX_YEAR)
    half = forms.TypedChoiceField(label=_("half-year"), choices=HALF, coerce=int)
    rate = FrenchDecimalField(label=_("ECB main refinancing rate (%)"), min_value=limits.MIN_ECB_RATE,
                              max_value=limits.MAX_ECB_RATE, max_digits=5, decimal_places=limits.ECB_RATE_DECIMALS,
                              help_text=_("The rate in force on the first day of the half-year, for example 2,15."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        capitalise_labels(self)

    @property
    def half_year(self) -> datetime.date:
        return datetime.date(self.cleaned_data["year"], self.cleaned_data["half"], 1)

    def save(self, user) -> EcbRate:
        row, _created = EcbRate.objects.update_or_create(
            half_year=self.half_year, defaults={"rate": self.cleaned_data["rate"], "updated_by": user})
        return row
