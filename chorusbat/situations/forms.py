"""The situation form: identifier, period, index, progress grid and penalties, checked by the engine itself.

Field-level checks catch what is not a number (letters, ``NaN``, ``1e309``; ``12,5`` is read as 12.5). Then the
form asks the engine to compute the market's chain with this situation in its place: every engine validation
issue becomes an error on the right field (the line's cell, the index, the period…), so what the form accepts
is exactly what the engine can compute.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Callable
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from chorusbat import engine
from chorusbat.engine import limits
from chorusbat.markets.forms import BoundedDateField, capitalise_labels
from chorusbat.markets.french_numbers import FrenchDecimalField
from chorusbat.markets.models import LineKind, Market
from chorusbat.situations import numbering
from chorusbat.situations.models import Situation
from chorusbat.situations.services import (
    SituationData,
    chain_with,
    company_numbers,
    compute_chain,
    final_statement_problems,
    market_situations,
    previous_progress,
    progress_locked,
)
from chorusbat.web import french_format

PENALTY_ROWS = 3
_MONTH = re.compile(r"^\s*(?:(?P<y1>\d{4})-(?P<m1>\d{1,2})|(?P<m2>\d{1,2})/(?P<y2>\d{4}))\s*$")


# The index table is kept by chorusbat.contracts, above this app: contracts hands its two lookups over when the app
# registry is ready (ContractsConfig.ready). Without them nothing is pre-filled and the index is typed, as before
# the table existed.
_index_table: dict = {}


def use_index_table(index_for: Callable, series_known: Callable) -> None:
    """``index_for(market, period)`` → the table's value for the situation's month; ``series_known(market)``."""
    _index_table.update(index_for=index_for, series_known=series_known)


class MonthField(forms.Field):
    """A month typed ``2026-09`` (what ``<input type=month>`` sends) or ``09/2026``; the 1st of that month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "AAAA-MM"})
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, for example 2026-09.")}

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        if value in self.empty_values:
            return None
        match = _MONTH.match(str(value))
        if match:
            year, month = int(match["y1"] or match["y2"]), int(match["m1"] or match["m2"])
            if 1 <= month <= 12 and limits.MIN_YEAR <= year <= limits.MAX_YEAR:
                return datetime.date(year, month, 1)
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, datetime.date) else value


def short_message(issue) -> str:
    """Next to its field, an engine issue says only what is wrong (the field already says where)."""
    where, sep, detail = issue.message.partition(" : ")
    return (detail[:1].upper() + detail[1:]) if sep and detail else issue.message


def line_field_name(line) -> str:
    return f"line_{line.pk}"


class SituationForm(forms.Form):
    number = forms.CharField(label=_("invoice identifier"), max_length=40,
                             help_text=_("At most 20 letters, digits or - _ / . — the next number of your "
                                         "sequence is suggested."))
    period = MonthField(label=_("period"))
    date = BoundedDateField(label=_("invoice date"))
    index_value = FrenchDecimalField(label=_("index value (In)"), required=False,
                                     max_digits=limits.INDEX_MAX_DIGITS, decimal_places=limits.INDEX_DECIMALS,
                                     max_value=limits.MAX_INDEX)
    advance_paid = FrenchDecimalField(label=_("advance to pay with this situation (e)"), required=False,
                                      min_value=0, max_value=limits.MAX_AMOUNT, max_digits=limits.MONEY_MAX_DIGITS,
                                      decimal_places=limits.MONEY_DECIMALS, initial=Decimal("0"))

    def __init__(self, *args, market: Market, situation: Situation | None = None, accountant: bool = True,
                 final: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.market, self.situation = market, situation
        # the projet de décompte final (situation-rules.md §6): a draft keeps what it was created as
        self.final = situation.final if situation is not None else final
        self.lines = list(market.lines.all())
        self.situations = market_situations(market)
        self.data_object: SituationData | None = None
        if market.is_revised:
            self.fields["index_value"].required = True
            self.fields["index_value"].help_text = _("Value of the %(index)s index for this month.") % {
                "index": market.revision_index_name or _("revision")}
        else:
            del self.fields["index_value"]
        previous = self._previous_progress()
        current = {p.line_id: p.value for p in situation.progress.all()} if situation else previous
        self.grid = []
        for line in self.lines:
            name = line_field_name(line)
            percent = line.kind == LineKind.FORFAIT
            self.fields[name] = FrenchDecimalField(
                label=f"{line.ref} {line.label}", required=False, decimal_places=limits.QUANTITY_DECIMALS,
                max_digits=limits.QUANTITY_MAX_DIGITS, max_value=limits.MAX_QUANTITY,
                initial=current.get(line.pk),
            )
            self.grid.append({"line": line, "name": name, "percent": percent, "previous": previous.get(line.pk)})
        for i in range(PENALTY_ROWS):
            self.fields[f"penalty_label_{i}"] = forms.CharField(label=_("penalty"), max_length=200, required=False)
            self.fields[f"penalty_amount_{i}"] = FrenchDecimalField(
                label=_("amount"), required=False, decimal_places=limits.MONEY_DECIMALS,
                max_digits=limits.MONEY_MAX_DIGITS, min_value=0, max_value=limits.MAX_AMOUNT)
        capitalise_labels(self)
        if situation is not None:
            self.initial.update(number=situation.number, period=situation.period, date=situation.date,
                                index_value=situation.index_value, advance_paid=situation.advance_paid)
            for i, penalty in enumerate(list(situation.penalties.all())[:PENALTY_ROWS]):
                self.initial[f"penalty_label_{i}"] = penalty.label
                self.initial[f"penalty_amount_{i}"] = penalty.amount
        self._setup_index_from_table(situation, accountant)
        self._lock_corrective()
        self._setup_site_manager_entry(accountant)

    def _lock_corrective(self) -> None:
        """A corrective situation takes the rejected one's period; when later situations exist, its progress too
        (their figures were computed from it): those fields are shown but not editable."""
        situation = self.situation
        if situation is None or situation.replaces_id is None:
            return
        self.fields["period"].disabled = True
        self.fields["period"].help_text = _("The period of the rejected situation this one replaces.")
        if progress_locked(situation):
            self.progress_locked = True
            for row in self.grid:
                self.fields[row["name"]].disabled = True

    progress_locked = False

    def _previous_progress(self) -> dict[int, Decimal]:
        """The cumulative values of the situation before this one (shown beside each cell)."""
        if self.situation is not None:
            return previous_progress(self.situations, self.situation)
        return {p.line_id: p.value for p in self.situations[-1].progress.all()} if self.situations else {}

    @property
    def grid_rows(self):
        return [{**row, "field": self[row["name"]]} for row in self.grid]

    @property
    def penalty_rows(self):
        return [(self[f"penalty_label_{i}"], self[f"penalty_amount_{i}"]) for i in range(PENALTY_ROWS)]

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        errors = numbering.format_errors(number)
        if errors:
            raise forms.ValidationError(errors)
        return number

    def clean_period(self):
        period = self.cleaned_data["period"]
        if self.fields["period"].disabled:  # a corrective keeps the period of the situation it replaces
            return period
        others = [s for s in self.situations if self.situation is None or s.pk != self.situation.pk]
        latest = others[-1] if others else None
        if latest is not None and period <= latest.period:
            raise forms.ValidationError(
                _("The period must come after the previous situation's (%(number)s, %(period)s).")
                % {"number": latest.number, "period": latest.period_display}
            )
        if period < self.market.start_date.replace(day=1):
            raise forms.ValidationError(_("The period cannot be before the market's start (%(start)s).")
                                        % {"start": french_format.month_year(self.market.start_date)})
        return period

    # --- the index (In) from the index table (chorusbat.contracts, handed over by use_index_table) --------------

    index_lookup = None
    _index_from_table_required = False

    def _setup_index_from_table(self, situation, accountant: bool) -> None:
        """Pre-fill In with the table's value for the period (the manual entry stays possible); when the market's
        series is in the table, an empty index is taken from it at saving."""
        if "index_value" not in self.fields or not _index_table:
            return
        index_for, series_known = _index_table["index_for"], _index_table["series_known"]
        period = situation.period if situation is not None else self.initial.get("period")
        self.index_lookup = index_for(self.market, period) if isinstance(period, datetime.date) else None
        if self.index_lookup is not None and not self.index_lookup.missing and (
                situation is None or situation.index_value is None):
            if self.initial.get("index_value") is None:
                self.initial["index_value"] = self.index_lookup.value
        if accountant and self.fields["index_value"].required and series_known(self.market):
            self.fields["index_value"].required = False
            self._index_from_table_required = True

    def _index_from_table(self, cleaned) -> None:
        if ("index_value" not in self.fields or cleaned.get("index_value") is not None or "index_value" in self.errors
                or not _index_table):
            return
        lookup = _index_table["index_for"](self.market, cleaned.get("period")) if cleaned.get("period") else None
        if lookup is not None and not lookup.missing:
            cleaned["index_value"] = lookup.value
            self.index_lookup = lookup
        elif self._index_from_table_required:
            self.add_error("index_value", self.fields["index_value"].error_messages["required"])

    def clean(self):
        cleaned = super().clean()
        self._index_from_table(cleaned)
        if self.situation is None or self.situation.replaces_id is None:  # a corrective takes a rejected one's place
            for message in final_statement_problems(self.market, self.final, self.situation):
                self.add_error(None, message)
        penalties = []
        for i in range(PENALTY_ROWS):
            label, amount = cleaned.get(f"penalty_label_{i}"), cleaned.get(f"penalty_amount_{i}")
            if label and amount is None:
                self.add_error(f"penalty_amount_{i}", _("Enter the amount of this penalty."))
            elif amount is not None and not label:
                self.add_error(f"penalty_label_{i}", _("Enter what this penalty is for."))
            elif label:
                penalties.append((label, amount))
        self._check_over_contract(cleaned)
        if cleaned.get("number") and cleaned.get("date"):
            for message in numbering.sequence_errors(
                company_numbers(self.market.company, exclude=self.situation), cleaned["number"], cleaned["date"]
            ):
                self.add_error("number", message)
        if self.errors:
            self._check_the_rest_with_engine(cleaned, penalties)  # every error in one pass
            return cleaned
        progress = {line.pk: cleaned[line_field_name(line)] for line in self.lines
                    if cleaned.get(line_field_name(line)) is not None}
        data = SituationData(
            number=cleaned["number"], period=cleaned["period"], date=cleaned["date"],
            index_value=cleaned.get("index_value"), advance_paid=cleaned.get("advance_paid") or Decimal("0"),
            progress=progress, penalties=penalties, final=self.final,
        )
        self._check_with_engine(self._with_placeholder_index(data))
        self.data_object = data
        return cleaned

    # --- entry by a site manager: live amounts, over-contract quantities, errors in one pass ------------------

    def _setup_site_manager_entry(self, accountant: bool) -> None:
        """A site manager enters progress; the accountant's fields (index) may be left to the administrator who
        validates. Each unit-price line gets a « travaux supplémentaires / avenant » box for quantities beyond
        the contract."""
        self.accountant = accountant
        if not accountant and "index_value" in self.fields:
            self.fields["index_value"].required = False
            self.fields["index_value"].help_text = _("You may leave it empty: the administrator enters it before "
                                                     "validating.")
        # a new situation starts from the previous one's progress: a quantity already beyond the contract there was
        # already ticked as extra work
        current = ({p.line_id: p.value for p in self.situation.progress.all()} if self.situation
                   else self._previous_progress())
        for row in self.grid:
            line = row["line"]
            if row["percent"]:
                continue
            name = f"extra_{line.pk}"
            self.fields[name] = forms.BooleanField(
                label=_("extra work / amendment"), required=False,
                initial=current.get(line.pk) is not None and current[line.pk] > line.quantity)
            row["extra"] = name

    def _check_over_contract(self, cleaned) -> None:
        """A cumulative quantity beyond the contract quantity needs the line's « extra work / amendment » box."""
        for row in self.grid:
            line, name = row["line"], row["name"]
            value = cleaned.get(name)
            if value is None or row["percent"] or value <= line.quantity or self.fields[name].disabled:
                continue
            if not cleaned.get(row.get("extra", "")):
                self.add_error(name, _("Beyond the contract quantity (%(qty)s). Tick « extra work / amendment » "
                                       "if intended.") % {"qty": french_format.quantity(line.quantity, line.unit)})

    def _with_placeholder_index(self, data: SituationData) -> SituationData:
        """A site manager's draft without index is checked with the latest known index (saved without it)."""
        if data.index_value is not None or self.accountant or not self.market.is_revised:
            return data
        known = [s.index_value for s in self.situations if s.index_value is not None and s.period < data.period]
        placeholder = known[-1] if known else self.market.revision_base_index
        return dataclasses.replace(data, index_value=placeholder)

    def _check_the_rest_with_engine(self, cleaned, penalties) -> None:
        """When some fields are wrong, still check the others with the engine, so that all errors show at once."""
        if not self.lines or cleaned.get("period") is None:
            return
        progress = {line.pk: cleaned[line_field_name(line)] for line in self.lines
                    if cleaned.get(line_field_name(line)) is not None}
        number = cleaned.get("number") or "__check__"
        data = SituationData(
            number=number, period=cleaned["period"], date=cleaned.get("date") or self.market.start_date,
            index_value=cleaned.get("index_value"), advance_paid=cleaned.get("advance_paid") or Decimal("0"),
            progress=progress, penalties=penalties, final=self.final,
        )
        try:
            compute_chain(self.market, self.lines, chain_with(self.market, self._with_placeholder_index(data),
                                                              self.situation))
        except engine.SituationValidationError as exc:
            for issue in exc.errors:
                name = self._field_for(issue, number)
                if name is not None and name not in self.errors and name in self.fields:
                    self.add_error(name, short_message(issue))

    def _check_with_engine(self, data: SituationData) -> None:
        if not self.lines:
            self.add_error(None, _("This market has no contract lines yet."))
            return
        try:
            compute_chain(self.market, self.lines, chain_with(self.market, data, self.situation))
        except engine.SituationValidationError as exc:
            for issue in exc.errors:
                name = self._field_for(issue, data.number)
                self.add_error(name, short_message(issue) if name else issue.message)

    def _field_for(self, issue, number: str) -> str | None:
        """The form field an engine issue belongs to (``None``: shown above the form)."""
        if issue.situation != number:
            return None
        if issue.field == "progress" and issue.line is not None:
            line = next((line for line in self.lines if line.ref == issue.line), None)
            return line_field_name(line) if line else None
        if issue.field in ("index", "advance_paid", "period", "number", "date"):
            name = "index_value" if issue.field == "index" else issue.field
            return name if name in self.fields else None
        return None
