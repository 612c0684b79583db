"""Forms of the reference tables (an ECB rate of a half-year, an index value, an INSEE file to import), of the
amendments and of the end of a market (réception, décompte général, answer, DGD, retention release)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from chorusbat.contracts import deadlines, insee
from chorusbat.contracts.models import (
    MAX_CLAIM_HEADS,
    MAX_CLAIM_JUSTIFICATION_LENGTH,
    MAX_CLAIM_LABEL_LENGTH,
    MAX_RESERVES_LENGTH,
    EcbRate,
    IndexValue,
    MarketClosing,
)
from chorusbat.engine import limits
from chorusbat.markets.forms import BoundedDateField, LabelledForm, capitalise_labels
from chorusbat.markets.french_numbers import FrenchDecimalField
from chorusbat.situations.forms import MonthField

HALF = [(1, _("first half-year (1 January)")), (7, _("second half-year (1 July)"))]


class EcbRateForm(LabelledForm):
    year = forms.IntegerField(label=_("year"), min_value=limits.MIN_YEAR, max_value=limits.MAX_YEAR)
    half = forms.TypedChoiceField(label=_("half-year"), choices=HALF, coerce=int)
    rate = FrenchDecimalField(label=_("ECB main refinancing rate (%)"), min_value=limits.MIN_ECB_RATE,
                              max_value=limits.MAX_ECB_RATE, max_digits=5, decimal_places=limits.ECB_RATE_DECIMALS,
                              help_text=_("The rate in force on the first day of the half-year, for example 2,15."))

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


class IndexImportForm(LabelledForm):
    series = SeriesField(label=_("index"), required=False,
                         help_text=_("For example BT01. Empty: the index named in the file's « Libellé »."))
    file = forms.FileField(label=_("INSEE CSV file"),
                           help_text=_("The CSV file of the series downloaded from insee.fr (« Télécharger »)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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


class IndexValueForm(LabelledForm):
    series = SeriesField(label=_("index"), help_text=_("For example BT01."))
    month = MonthField(label=_("month"))
    value = FrenchDecimalField(label=_("value"), min_value=limits.MIN_INDEX, max_value=limits.MAX_INDEX,
                               max_digits=limits.INDEX_MAX_DIGITS, decimal_places=limits.INDEX_DECIMALS)
    provisional = forms.BooleanField(label=_("provisional"), required=False)

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


# ------------------------------------------------------------------------------------------- end of contract


def _after(form, field: str, earlier, message) -> None:
    value = form.cleaned_data.get(field)
    if value is not None and earlier is not None and value < earlier:
        form.add_error(field, message)


class ClosingStepForm(LabelledForm):
    """A step of the end of a market (« Fin du marché »): it knows its market and the market's closing record."""

    def __init__(self, *args, market, closing, **kwargs):
        super().__init__(*args, **kwargs)
        self.market, self.closing = market, closing


class ReceptionForm(ClosingStepForm):
    """The réception decision and the guarantee period (CCAG-Travaux 41, 44.1)."""

    reception_date = BoundedDateField(label=_("réception date"),
                                      help_text=_("The date of the acceptance decision (réception des travaux)."))
    guarantee_months = forms.IntegerField(
        label=_("guarantee period (months)"), min_value=deadlines.MIN_GUARANTEE_MONTHS,
        max_value=deadlines.MAX_GUARANTEE_MONTHS, initial=deadlines.DEFAULT_GUARANTEE_MONTHS,
        help_text=_("12 months unless the contract says otherwise (CCAG-Travaux art. 44.1)."))

    def clean(self):
        cleaned = super().clean()
        _after(self, "reception_date", self.market.start_date,
               _("The réception cannot be before the start of the market."))
        for field, later, message in (
                ("reception_date", self.closing.dg_notified_on,
                 _("The réception cannot be after the décompte général.")),
                ("reception_date", self.closing.released_on,
                 _("The réception cannot be after the release of the retention."))):
            value = cleaned.get(field)
            if value is not None and later is not None and value > later:
                self.add_error(field, message)
        return cleaned


class GeneralStatementForm(ClosingStepForm):
    """The décompte général (DG) notified by the buyer: its amount, its date, the buyer's reserves."""

    dg_notified_on = BoundedDateField(label=_("notified on"),
                                      help_text=_("The date the décompte général signed by the buyer was received."))
    dg_amount_ttc = FrenchDecimalField(label=_("amount incl. VAT"), min_value=0, max_value=limits.MAX_AMOUNT,
                                       max_digits=limits.MONEY_MAX_DIGITS, decimal_places=limits.MONEY_DECIMALS)
    dg_amount_ht = FrenchDecimalField(label=_("amount excl. VAT"), required=False, min_value=0,
                                      max_value=limits.MAX_AMOUNT, max_digits=limits.MONEY_MAX_DIGITS,
                                      decimal_places=limits.MONEY_DECIMALS)
    dg_reserves = forms.CharField(label=_("the buyer's reserves"), required=False,
                                  max_length=MAX_RESERVES_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("As written in the décompte général (empty: none)."))

    def clean(self):
        cleaned = super().clean()
        if self.closing.reception_date is None:
            raise forms.ValidationError(_("Record the réception first."))
        _after(self, "dg_notified_on", self.closing.reception_date,
               _("The décompte général cannot be notified before the réception."))
        answered = self.closing.answer_on
        if answered is not None and cleaned.get("dg_notified_on") and cleaned["dg_notified_on"] > answered:
            self.add_error("dg_notified_on", _("The décompte général cannot be after its answer."))
        ht, ttc = cleaned.get("dg_amount_ht"), cleaned.get("dg_amount_ttc")
        if ht is not None and ttc is not None and ht > ttc:
            self.add_error("dg_amount_ht", _("The amount excl. VAT cannot exceed the amount incl. VAT."))
        return cleaned


class ClaimHeadForm(LabelledForm):
    """One head of the mémoire en réclamation; ``number`` is its place among the heads (1 to MAX_CLAIM_HEADS)."""

    label = forms.CharField(label=_("head of claim"), max_length=MAX_CLAIM_LABEL_LENGTH, required=False)
    amount = FrenchDecimalField(label=_("amount claimed incl. VAT"), required=False, min_value=Decimal("0.01"),
                                max_value=limits.MAX_AMOUNT, max_digits=limits.MONEY_MAX_DIGITS,
                                decimal_places=limits.MONEY_DECIMALS)
    justification = forms.CharField(label=_("justification"), max_length=MAX_CLAIM_JUSTIFICATION_LENGTH,
                                    required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, number: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.number = number

    @property
    def filled(self) -> bool:
        return any((self.data.get(self.add_prefix(name)) or "").strip()
                   for name in ("label", "amount", "justification"))

    @property
    def in_use(self) -> bool:
        """Posted with something in it, or showing a head already recorded."""
        return self.filled if self.is_bound else bool(self.initial)

    def clean(self):
        cleaned = super().clean()
        if self.filled:
            for name, message in (("label", _("Name the head of claim.")), ("amount", _("Enter the amount claimed.")),
                                  ("justification", _("Justify the amount claimed."))):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return cleaned


class AnswerForm(ClosingStepForm):
    """The company's answer to the DG: signed without reserves (→ DGD), or with reserves and the mémoire en
    réclamation's heads of claim (:class:`ClaimHeadForm` rows beside it, see :func:`claim_head_forms`)."""

    answer = forms.ChoiceField(label=_("answer"), choices=MarketClosing.Answer.choices, widget=forms.RadioSelect)
    answer_on = BoundedDateField(label=_("answer date"),
                                 help_text=_("The date the signed décompte général (or the mémoire) was sent."))
    claim_grounds = forms.CharField(label=_("grounds of the claim"), required=False,
                                    max_length=MAX_CLAIM_JUSTIFICATION_LENGTH,
                                    widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text=_("With reserves: why the décompte général is contested."))

    def __init__(self, *args, heads=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.heads = list(heads)

    def clean(self):
        cleaned = super().clean()
        closing = self.closing
        if closing.dg_notified_on is None:
            raise forms.ValidationError(_("Record the décompte général received first."))
        _after(self, "answer_on", closing.dg_notified_on,
               _("The answer cannot be before the décompte général was notified."))
        if cleaned.get("answer") == MarketClosing.Answer.RESERVES:
            due = deadlines.plus_days(closing.dg_notified_on, deadlines.ANSWER_DAYS)
            if cleaned.get("answer_on") and cleaned["answer_on"] > due:
                self.add_error("answer_on", _(
                    "Reserves must be sent within 30 days of the décompte général (by %(date)s): past this date it "
                    "is deemed accepted. Record it as accepted.") % {"date": limits.french_date(due)})
            if not (cleaned.get("claim_grounds") or "").strip():
                self.add_error("claim_grounds", _("State the grounds of the claim."))
            if not [form for form in self.heads if form.filled]:
                self.add_error(None, _("With reserves, list at least one head of claim with its amount."))
        return cleaned

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if self.cleaned_data.get("answer") != MarketClosing.Answer.RESERVES:
            return valid
        return all([form.is_valid() for form in self.heads]) and valid

    def claim_rows(self) -> list[tuple[str, Decimal, str]]:
        if self.cleaned_data.get("answer") != MarketClosing.Answer.RESERVES:
            return []
        return [(f.cleaned_data["label"], f.cleaned_data["amount"], f.cleaned_data["justification"])
                for f in self.heads if f.filled]


def claim_head_forms(data=None, initial=()) -> list[ClaimHeadForm]:
    initial = list(initial)
    return [ClaimHeadForm(data, prefix=f"head{i}", number=i + 1, initial=initial[i] if i < len(initial) else None,
                          use_required_attribute=False) for i in range(MAX_CLAIM_HEADS)]


def split_claim_heads(heads: list[ClaimHeadForm]) -> tuple[list[ClaimHeadForm], list[ClaimHeadForm]]:
    """The heads to show (those in use, and one empty row) and the empty ones the page folds away, so that a phone
    does not scroll past six empty heads of claim."""
    first_empty = next((head for head in heads if not head.in_use), None)
    shown = [head for head in heads if head.in_use or head is first_empty]
    return shown, [head for head in heads if head not in shown]


class DgdForm(ClosingStepForm):
    """The DGD recorded by hand: the dispute on the DG settled, or the tacit procedure's outcome (12.4.4)."""

    dgd_on = BoundedDateField(label=_("DGD date"),
                              help_text=_("The date the décompte général became final (settlement, decision)."))

    def clean(self):
        cleaned = super().clean()
        closing = self.closing
        if closing.reception_date is None:
            raise forms.ValidationError(_("Record the réception first."))
        if closing.dg_notified_on is not None and closing.answer != MarketClosing.Answer.RESERVES:
            raise forms.ValidationError(_("Record the answer to the décompte général: accepted, it becomes the DGD "
                                          "on the answer date."))
        _after(self, "dgd_on", closing.answer_on or closing.reception_date,
               _("The DGD cannot be before the answer to the décompte général or the réception."))
        return cleaned


class ReleaseForm(ClosingStepForm):
    """The retention received (or the first-demand guarantee released: its mainlevée)."""

    released_on = BoundedDateField(label=_("received on"))

    def __init__(self, *args, market, closing, **kwargs):
        super().__init__(*args, market=market, closing=closing, **kwargs)
        if not market.retention_rate:
            self.fields["released_on"].label = capfirst(_("guarantee released (mainlevée) on"))

    def clean(self):
        cleaned = super().clean()
        if self.closing.reception_date is None:
            raise forms.ValidationError(_("Record the réception first."))
        _after(self, "released_on", self.closing.reception_date,
               _("The retention cannot be released before the réception."))
        return cleaned


CLOSING_FORMS = {"reception": ReceptionForm, "general-statement": GeneralStatementForm, "answer": AnswerForm,
                 "dgd": DgdForm, "release": ReleaseForm}
