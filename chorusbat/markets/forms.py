"""Forms of the market screens: the market itself, one contract line, and the lines import.

Rates the engine takes as fractions (advance, retention) are typed as percentages (``10`` for 10 %), which is
how they are written in a CCAP; the conversion happens here and only here.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from chorusbat import engine
from chorusbat.accounts.validators import normalize_siret, validate_siret
from chorusbat.engine import limits
from chorusbat.markets import buyer_checks
from chorusbat.markets.french_numbers import FrenchDecimalField, format_decimal, parse_decimal
from chorusbat.markets.models import VAT_RATES, ContractLine, Framework, LineKind, Market
from chorusbat.markets.services import contract_for

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

# Model fields typed as a percentage in the form: model field → form field.
PERCENT_FIELDS = {
    "advance_rate": "advance_percent",
    "advance_start": "advance_start_percent",
    "advance_end": "advance_end_percent",
    "retention_rate": "retention_percent",
}
# Fields that change the décompte: frozen once a situation of the market is validated.
FINANCIAL_FIELDS = (
    "reverse_charge", "revision_fixed", "revision_variable", "revision_base_index",
    "advance_percent", "advance_start_percent", "advance_end_percent", "retention_percent",
)


# An HTML date input only understands ISO dates, whatever the page's language.
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BoundedDateField(forms.DateField):
    """A date within ``limits.MIN_DATE``–``limits.MAX_DATE`` (what every document and format can carry)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", DATE_WIDGET)
        super().__init__(**kwargs)
        self.widget.attrs.update(min=limits.MIN_DATE.isoformat(), max=limits.MAX_DATE.isoformat())

    def validate(self, value):
        super().validate(value)
        if value and not limits.date_in_range(value):
            raise forms.ValidationError(
                _("Enter a date between %(min)s and %(max)s.") % {
                    "min": limits.french_date(limits.MIN_DATE), "max": limits.french_date(limits.MAX_DATE)},
                code="date_out_of_range",
            )


def capitalise_labels(form) -> None:
    """Model fields get capitalised labels from Django; give the form's own fields the same look."""
    for field in form.fields.values():
        field.label = capfirst(field.label)


class LabelledForm(forms.Form):
    """A form whose own fields are labelled like model fields (capitalised). Fields added later in a subclass's
    ``__init__`` need :func:`capitalise_labels` again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        capitalise_labels(self)


def siret_field(label, required=True):
    return forms.CharField(label=label, max_length=40, required=required,
                           help_text=_("14 digits; spaces are ignored."))


def clean_siret_value(value: str) -> str:
    if not value:
        return ""
    validate_siret(value)
    return normalize_siret(value)


def buyer_lookup_for(company, data, instance: Market) -> buyer_checks.Lookup | None:
    """The buyer of a market form checked in Chorus Pro (cached 24 h), or None when there is no SIRET to check.

    The SIRET is the typed one when it is valid, else the stored one; the service is the chosen one, the only
    service whose own rules are read from Chorus Pro (review B3). ``data`` is the posted data, or None.
    """
    raw_siret = data.get("buyer_siret") if data is not None else instance.buyer_siret
    try:
        siret = clean_siret_value(raw_siret or "")
    except forms.ValidationError:
        return None
    if not siret:
        return None
    raw_service = data.get("buyer_service_code") if data is not None else instance.buyer_service_code
    service = (raw_service or "").strip() if isinstance(raw_service, str) else ""
    return buyer_checks.checked_lookup(company, siret, service)


class MarketForm(forms.ModelForm):
    buyer_siret = siret_field(_("buyer SIRET"))
    validator_siret = siret_field(_("validator SIRET"), required=False)
    revision_fixed = FrenchDecimalField(label=_("fixed part"), required=False, min_value=0, max_value=1,
                                        max_digits=6, help_text=_("For example 0,125."))
    revision_variable = FrenchDecimalField(label=_("variable part"), required=False, min_value=0, max_value=1,
                                           max_digits=6, help_text=_("For example 0,875."))
    revision_base_index = FrenchDecimalField(label=_("base index (I0)"), required=False,
                                             max_digits=limits.INDEX_MAX_DIGITS,
                                             max_value=limits.MAX_INDEX,
                                             help_text=_("Index value of the price date."))
    advance_percent = FrenchDecimalField(label=_("advance (% of the amount incl. VAT)"), min_value=0, max_value=60,
                                         max_digits=6, decimal_places=2, initial=Decimal("0"),
                                         help_text=_("0 when there is no advance. Above 30 %, recovery usually "
                                                     "starts with the first situation (start 0)."))
    advance_start_percent = FrenchDecimalField(label=_("advance recovery starts at (%)"), min_value=0,
                                               max_value=100, max_digits=6, decimal_places=2,
                                               initial=Decimal("65"))
    advance_end_percent = FrenchDecimalField(label=_("advance recovered in full at (%)"), min_value=0,
                                             max_value=100, max_digits=6, decimal_places=2, initial=Decimal("80"))
    retention_percent = FrenchDecimalField(label=_("retention (%)"), min_value=0, max_value=5, max_digits=6,
                                           decimal_places=2, initial=Decimal("0"),
                                           help_text=_("At most 5 %; 0 when replaced by a bank guarantee."))
    start_date = BoundedDateField(label=_("start date"))
    revision_index_lag_months = forms.IntegerField(
        label=_("index month lag"), required=False, min_value=0, max_value=limits.MAX_INDEX_LAG_MONTHS,
        help_text=_("In is the index of the situation's month minus this many months (0 or empty: the same month)."))

    class Meta:
        model = Market
        fields = [
            "title", "buyer_name", "buyer_siret", "buyer_service_code", "number", "engagement",
            "framework", "validator_name", "validator_siret", "reverse_charge",
            "start_date", "duration_months", "revision_index_name", "revision_index_lag_months", "revision_fixed",
            "revision_variable",
            "revision_base_index", "payment_delay_days",
        ]

    def __init__(self, *args, company, buyer_lookup: buyer_checks.Lookup | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        self.buyer_info = None
        capitalise_labels(self)
        if not self.instance.pk and "payment_delay_days" not in kwargs.get("initial", {}):
            self.initial["payment_delay_days"] = company.default_payment_delay_days  # Mon compte › Entreprise
        for model_field, form_field in PERCENT_FIELDS.items():
            if self.instance.pk:
                self.initial[form_field] = (getattr(self.instance, model_field) * HUNDRED).quantize(CENT)
        if self.instance.pk and self.instance.has_validated_situations():
            for name in FINANCIAL_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Frozen: a situation of this market is validated.")
        # The buyer as Chorus Pro knows it, looked up by the caller (``buyer_lookup_for``): building the form
        # calls nothing.
        self.lookup_error = ""
        if buyer_lookup is not None:
            self.buyer_info, self.lookup_error = buyer_lookup.info, buyer_lookup.error
            self._offer_services()

    def _offer_services(self):
        """With a verified subscription, the service is picked from the buyer's active services."""
        services = buyer_checks.usable_services(self.buyer_info)
        if services:
            choices = [("", _("— no service —"))]
            choices += [(s.code, f"{s.code} — {s.name}" if s.name else s.code) for s in services]
            self.fields["buyer_service_code"].widget = forms.Select(choices=choices)

    def clean_buyer_siret(self):
        return clean_siret_value(self.cleaned_data["buyer_siret"])

    def clean_validator_siret(self):
        return clean_siret_value(self.cleaned_data["validator_siret"])

    def clean_number(self):
        return self.cleaned_data["number"].strip()

    def clean_engagement(self):
        return self.cleaned_data["engagement"].strip()

    def clean_buyer_service_code(self):
        return self.cleaned_data["buyer_service_code"].strip()

    def clean(self):
        cleaned = super().clean()
        self._check_unique_number(cleaned)
        self._check_framework(cleaned)
        self._check_revision(cleaned)
        self._check_advance(cleaned)
        if self.lookup_error and "buyer_siret" in cleaned:
            self.add_error("buyer_siret", _("The buyer could not be checked in Chorus Pro: %(reason)s "
                                            "Try again later.") % {"reason": self.lookup_error})
        elif "buyer_siret" in cleaned:
            for field, messages in buyer_checks.buyer_errors(
                self.buyer_info, cleaned.get("buyer_service_code", ""), cleaned.get("engagement", ""),
                cleaned.get("framework", ""),
            ).items():
                for message in messages:
                    self.add_error(field, message)
        for model_field, form_field in PERCENT_FIELDS.items():
            if cleaned.get(form_field) is not None:
                setattr(self.instance, model_field, cleaned[form_field] / HUNDRED)
        return cleaned

    def _check_unique_number(self, cleaned):
        number, siret = cleaned.get("number"), cleaned.get("buyer_siret")
        if not number or not siret:
            return
        taken = Market.objects.filter(company=self.company, buyer_siret=siret, number=number)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            self.add_error("number", _("Your company already has a market with this identifier for this buyer."))

    def _check_framework(self, cleaned):
        framework = cleaned.get("framework")
        if Framework.needs_validator(framework):
            if not cleaned.get("validator_name") or not cleaned.get("validator_siret"):
                messages = {
                    Framework.A4: _("The A4 framework needs the project manager (MOE): name and SIRET."),
                    Framework.A10: _("The A10 framework needs the main contractor who validates: name and SIRET."),
                    Framework.A13: _("The A13 framework needs the group's representative who validates: "
                                     "name and SIRET."),
                }
                field = "validator_name" if not cleaned.get("validator_name") else "validator_siret"
                if field not in self.errors:
                    self.add_error(field, messages[framework])
        if cleaned.get("reverse_charge") and framework != Framework.A10:
            self.add_error("reverse_charge", _("VAT reverse charge only applies to a subcontractor (A10)."))
        if cleaned.get("reverse_charge") and self.instance.pk and self.instance.lines.exclude(vat_rate=0).exists():
            self.add_error("reverse_charge", _("With VAT reverse charge every line must be at 0 % VAT."))

    def clean_revision_index_lag_months(self):
        return self.cleaned_data.get("revision_index_lag_months") or 0

    def _check_revision(self, cleaned):
        parts = [cleaned.get(n) for n in ("revision_fixed", "revision_variable", "revision_base_index")]
        if all(p is None for p in parts):
            return
        if any(p is None for p in parts):
            self.add_error("revision_base_index", _("A revised price needs the fixed part, the variable part and "
                                                    "the base index; leave all three empty for firm prices."))
            return
        fixed, variable, base = parts
        if fixed + variable != 1:
            self.add_error("revision_variable", _("The fixed part and the variable part must add up to 1 "
                                                  "(%(fixed)s + %(variable)s).")
                           % {"fixed": format_decimal(fixed), "variable": format_decimal(variable)})
        if base <= 0:
            self.add_error("revision_base_index", _("The base index must be greater than 0."))

    def _check_advance(self, cleaned):
        start, end = cleaned.get("advance_start_percent"), cleaned.get("advance_end_percent")
        if start is not None and end is not None and start >= end:
            self.add_error("advance_end_percent", _("Recovery must end above the threshold where it starts."))


class VatRateField(forms.ChoiceField):
    """A VAT rate among the French rates; takes ``5,5``, ``5.5`` or ``5,5 %``."""

    default_error_messages = {
        "invalid_choice": _("Unknown VAT rate %(value)s: use 0, 2.1, 5.5, 10 or 20."),
    }

    def __init__(self, **kwargs):
        super().__init__(choices=[(str(r), f"{format_decimal(r)} %") for r in VAT_RATES], **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        try:
            number = parse_decimal(value, symbols="%")
        except ValueError:
            return value
        return next((str(r) for r in VAT_RATES if r == number), value)

    def prepare_value(self, value):
        return self.to_python(value) if value not in self.empty_values else value


class ContractLineForm(forms.ModelForm):
    """One contract line; also checks every row of an imported file, so both paths follow the same rules."""

    unit_price = FrenchDecimalField(label=_("unit price excl. VAT"), min_value=0, max_value=limits.MAX_UNIT_PRICE,
                                    max_digits=limits.UNIT_PRICE_MAX_DIGITS, decimal_places=limits.UNIT_PRICE_DECIMALS)
    quantity = FrenchDecimalField(label=_("quantity"), min_value=0, max_value=limits.MAX_QUANTITY,
                                  max_digits=limits.QUANTITY_MAX_DIGITS, decimal_places=limits.QUANTITY_DECIMALS,
                                  help_text=_("Contract quantity (1 for a lump sum)."))
    vat_rate = VatRateField(label=_("VAT rate"), initial="20")

    class Meta:
        model = ContractLine
        fields = ["ref", "label", "kind", "unit", "unit_price", "quantity", "vat_rate", "extra_work"]

    def __init__(self, *args, market: Market, taken_refs: set[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.market = market
        self.instance.market = market
        self.taken_refs = taken_refs
        capitalise_labels(self)

    def clean(self):
        cleaned = super().clean()
        price, quantity = cleaned.get("unit_price"), cleaned.get("quantity")
        if price is not None and quantity is not None and price * quantity > limits.MAX_AMOUNT:
            self.add_error("quantity", _("The line amount (unit price × quantity) exceeds the maximum of "
                                         "%(max)s €.") % {"max": limits.french_decimal(limits.MAX_AMOUNT)})
        elif self.taken_refs is None and not self.errors:
            self._check_market_totals(cleaned)
        return cleaned

    def _check_market_totals(self, cleaned):
        """The market's totals with this line must stay within the limits (the import checks its file once)."""
        line = ContractLine(market=self.market, ref=cleaned.get("ref", ""), label="", kind=cleaned.get("kind"),
                            unit="", unit_price=cleaned["unit_price"], quantity=cleaned["quantity"],
                            vat_rate=cleaned.get("vat_rate", Decimal(0)))
        message = market_totals_error(self.market, [line], exclude=self.instance.pk)
        if message:
            self.add_error(None, message)

    def clean_ref(self):
        ref = self.cleaned_data["ref"].strip()
        taken = self.taken_refs
        if taken is None:
            taken = set(self.market.lines.exclude(pk=self.instance.pk).values_list("ref", flat=True))
        if ref in taken:
            raise forms.ValidationError(_("This market already has a line with reference %(ref)s.") % {"ref": ref})
        return ref

    def clean_vat_rate(self):
        rate = Decimal(self.cleaned_data["vat_rate"])
        if self.market.reverse_charge and rate != 0:
            raise forms.ValidationError(_("This market is under VAT reverse charge: lines are at 0 % VAT."))
        return rate


def market_totals_error(market: Market, new_lines: list, exclude=None) -> str:
    """A message when the market's lines plus ``new_lines`` (minus line ``exclude``) give totals out of range."""
    lines = [line for line in market.lines.all() if line.pk != exclude] + list(new_lines)
    try:
        engine.compute(contract_for(market, lines), [])
    except engine.SituationValidationError as exc:
        too_large = any(problem.code in {"result_too_large", "line_total_too_large"} for problem in exc.errors)
    else:
        too_large = False
    if too_large:
        return str(_("With these lines the market's total would exceed the maximum amount of %(max)s €.")
                   % {"max": limits.french_decimal(limits.MAX_AMOUNT)})
    return ""


class LineImportForm(LabelledForm):
    file = forms.FileField(label=_("DPGF / BPU file (CSV or XLSX)"),
                           help_text=_("Columns: reference, label, unit, quantity, unit price, VAT. At most 20 MB."))
    default_kind = forms.ChoiceField(label=_("price form of the lines"), choices=LineKind.choices,
                                     initial=LineKind.FORFAIT,
                                     help_text=_("Used when the file has no type column: DPGF lines are lump "
                                                 "sums, BPU/DQE lines unit prices."))
    default_vat_rate = VatRateField(label=_("VAT rate when the file has no VAT column"), initial="20")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("This file is larger than 20 MB: it is refused."))
        return upload
