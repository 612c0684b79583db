"""Forms of the reference tables: an ECB rate of a half-year, an index value, an INSEE file to import."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from chorusbat.contracts import insee
from chorusbat.contracts.models import EcbRate, IndexValue
from chorusbat.engine import limits
from chorusbat.markets.forms import BoundedDateField, capitalise_labels
from chorusbat.markets.french_numbers import FrenchDecimalField
from chorusbat.situations.forms import MonthField

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


def normalize_series(text: str) -> str:
    return "".join(text.split()).upper()


class SeriesField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", limits.INDEX_SERIES_MAX_LENGTH)
        super().__init__(**kwargs)

    def clean(self, value):
        value = normalize_series(super().clean(value) or "")
        if value and not re.fullmatch(r"[A-Z0-9_.-]+", value):
            raise forms.ValidationError(_("Letters and digits only, for example BT01 or TP10A."))
        return value


class IndexImportForm(forms.Form):
    series = SeriesField(label=_("index"), required=False,
                         help_text=_("For example BT01. Empty: the index named in the file's « Libellé »."))
    file = forms.FileField(label=_("INSEE CSV file"),
                           help_text=_("The CSV file of the series downloaded from insee.fr (« Télécharger »)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        capitalise_labels(self)
        self.parsed = None

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if upload.size > insee.MAX_FILE_BYTES:
            self.add_error("file", _("The file is too large for an index series."))
            return cleaned
        try:
            self.parsed = insee.parse(upload.read())
        except insee.InseeFileError as error:
            for message in error.errors:
                self.add_error("file", message)
            return cleaned
        named = normalize_series(self.parsed.series)
        if not cleaned.get("series"):
            if not named:
                self.add_error("series", _("The file does not name its index: type it (for example BT01)."))
            cleaned["series"] = named
        elif named and named != cleaned["series"]:
            self.add_error("series", _("The file is the %(file)s series, not %(typed)s.")
                           % {"file": named, "typed": cleaned["series"]})
        return cleaned


class IndexValueForm(forms.Form):
    series = SeriesField(label=_("index"), help_text=_("For example BT01."))
    month = MonthField(label=_("month"))
    value = FrenchDecimalField(label=_("value"), min_value=limits.MIN_INDEX, max_value=limits.MAX_INDEX,
                               max_digits=limits.INDEX_MAX_DIGITS, decimal_places=limits.INDEX_DECIMALS)
    provisional = forms.BooleanField(label=_("provisional"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        capitalise_labels(self)

    def save(self, user) -> IndexValue:
        data = self.cleaned_data
        row = IndexValue.objects.filter(series__iexact=data["series"], month=data["month"]).first() or IndexValue(
            series=data["series"], month=data["month"])
        row.value, row.provisional, row.source, row.updated_by = (
            data["value"], data["provisional"], IndexValue.Source.MANUAL, user)
        row.save()
        return row


# ------------------------------------------------------------------------------------------------ amendments

CHANGE_ROWS = 3
NEW_LINE_ROWS = 3


class AmendmentForm(forms.Form):
    """An amendment's number, date, object and first month, and up to three price/quantity changes of existing
    lines; its new lines are :class:`~chorusbat.markets.forms.ContractLineForm` rows beside it (see the view)."""

    number = forms.CharField(label=_("amendment number"), max_length=20, help_text=_("For example 1 or AV-01."))
    date = BoundedDateField(label=_("amendment date"))
    object = forms.CharField(label=_("object"), max_length=300)
    period = MonthField(label=_("applies from the situation of"),
                        help_text=_("The first month whose situation uses the new prices, quantities and lines."))

    def __init__(self, *args, market, **kwargs):
        super().__init__(*args, **kwargs)
        self.market = market
        choices = [("", "—")] + [(line.pk, f"{line.ref} {line.label}") for line in market.lines.all()]
        for i in range(CHANGE_ROWS):
            self.fields[f"change_line_{i}"] = forms.TypedChoiceField(label=_("line"), choices=choices, coerce=int,
                                                                     required=False, empty_value=None)
            self.fields[f"change_price_{i}"] = FrenchDecimalField(
                label=_("new unit price excl. VAT"), required=False, min_value=0, max_value=limits.MAX_UNIT_PRICE,
                max_digits=limits.UNIT_PRICE_MAX_DIGITS, decimal_places=limits.UNIT_PRICE_DECIMALS)
            self.fields[f"change_quantity_{i}"] = FrenchDecimalField(
                label=_("new quantity"), required=False, min_value=0, max_value=limits.MAX_QUANTITY,
                max_digits=limits.QUANTITY_MAX_DIGITS, decimal_places=limits.QUANTITY_DECIMALS)
        capitalise_labels(self)

    @property
    def change_rows(self):
        return [(self[f"change_line_{i}"], self[f"change_price_{i}"], self[f"change_quantity_{i}"])
                for i in range(CHANGE_ROWS)]

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        if self.market.amendments.filter(number=number).exists():
            raise forms.ValidationError(_("This market already has an amendment with this number."))
        return number

    def changes(self) -> list:
        lines = {line.pk: line for line in self.market.lines.all()}
        rows, seen = [], set()
        for i in range(CHANGE_ROWS):
            line_id = self.cleaned_data.get(f"change_line_{i}")
            price, quantity = self.cleaned_data.get(f"change_price_{i}"), self.cleaned_data.get(f"change_quantity_{i}")
            if line_id is None:
                if price is not None or quantity is not None:
                    self.add_error(f"change_line_{i}", _("Choose the line whose price or quantity changes."))
                continue
            if price is None and quantity is None:
                self.add_error(f"change_price_{i}", _("Enter the new unit price, the new quantity or both."))
                continue
            if line_id in seen:
                self.add_error(f"change_line_{i}", _("This line is already changed above."))
                continue
            seen.add(line_id)
            rows.append((lines[line_id], price, quantity))
        return rows
