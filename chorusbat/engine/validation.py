"""The validation rules of ``situation-rules.md`` §3, applied before anything is computed.

``validate`` never stops at the first problem: it returns every issue, so the user fixes a file (or a form)
in one pass. Besides the rules listed in §3 it checks what the computation silently relies on: numbers are
finite ``Decimal`` values of reasonable size, line refs are unique, unit prices have at most 4 decimals and
are not negative, money amounts (penalties, advance paid) have at most 2 decimals.

Deliberately NOT refused: a ``unitaire`` cumulative quantity above the contract quantity. The contract
quantity of a BPU/DQE line is an estimate and the executed quantity is paid at the unit price
(works-billing-background.md §7); the rules only bound ``forfait`` percentages (0–100) and forbid negative
quantities.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from decimal import Decimal

from . import amendments, limits
from .limits import french_date, french_decimal
from .model import Contract, LineKind, SituationInput
from .rounding import has_at_most_decimals, within_bounds
from .sentences import ValidationIssue, issue

PERIOD_PATTERN = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")  # always used with fullmatch
HUNDRED = Decimal(100)
MAX_RETENTION_RATE = limits.MAX_RETENTION_RATE
MAX_ADVANCE_RATE = limits.MAX_ADVANCE_RATE
MAX_UNIT_PRICE_DECIMALS = limits.UNIT_PRICE_DECIMALS
MAX_MONEY_DECIMALS = limits.MONEY_DECIMALS


def validate(contract: Contract, situations: Sequence[SituationInput]) -> list[ValidationIssue]:
    """Every issue of the contract and of the chain of situations, in reading order (empty list = valid)."""
    issues: list[ValidationIssue] = []
    _check_contract(contract, issues)
    _check_amendments(contract, issues)
    forfait_refs = {line.ref: line.kind == LineKind.FORFAIT for line in amendments.all_lines(contract)}
    _check_situations(contract, forfait_refs, situations, issues)
    return issues


def situation_name(situation: SituationInput, position: int) -> str:
    """How messages name a situation: its number, or its position when the number is missing."""
    return situation.number if isinstance(situation.number, str) and situation.number else f"n° {position + 1}"


# ---------------------------------------------------------------------------------------------------- numbers


def _number(value, field: str, issues: list[ValidationIssue], **where) -> Decimal | None:
    """The value as a ``Decimal`` if it is a usable number, else ``None`` after recording why."""
    if not isinstance(value, Decimal):  # the engine computes in Decimal only: no float, no int
        issues.append(issue("not_a_number", field, value=value, **where))
        return None
    if not value.is_finite():
        issues.append(issue("not_finite", field, value=value, **where))
        return None
    if not within_bounds(value):
        issues.append(issue("out_of_bounds", field, value=value, **where))
        return None
    return value


def _check_range(value, low: Decimal, high: Decimal, code: str, field: str, issues, **where) -> None:
    number = _number(value, field, issues, **where)
    if number is not None and not low <= number <= high:
        issues.append(issue(code, field, value=number, **where))


def _check_money(value, field: str, issues, **where) -> None:
    """A non-negative amount with at most 2 decimals (penalty, advance paid)."""
    number = _number(value, field, issues, **where)
    if number is None:
        return
    if not has_at_most_decimals(number, MAX_MONEY_DECIMALS):
        issues.append(issue("money_precision", field, value=number, **where))
    elif number < 0:
        issues.append(issue("negative_amount", field, value=number, **where))
    elif number > limits.MAX_AMOUNT:
        issues.append(issue("amount_too_large", field, value=number, max=french_decimal(limits.MAX_AMOUNT), **where))


def _check_quantity(number: Decimal | None, field: str, issues, **where) -> None:
    """Upper bound and precision of a (non-negative) quantity already read by ``_number``."""
    if number is None or number < 0:
        return
    if number > limits.MAX_QUANTITY:
        issues.append(issue("quantity_too_large", field, value=number, max=french_decimal(limits.MAX_QUANTITY),
                            **where))
    elif not has_at_most_decimals(number, limits.QUANTITY_FILE_DECIMALS):
        issues.append(issue("quantity_precision", field, value=number, places=limits.QUANTITY_FILE_DECIMALS,
                            **where))


def _check_index(value, field: str, code_not_positive: str, issues, **where) -> None:
    index = _number(value, field, issues, **where)
    if index is None:
        return
    if index <= 0:
        issues.append(issue(code_not_positive, field, value=index, **where))
    elif not limits.MIN_INDEX <= index <= limits.MAX_INDEX:
        issues.append(issue("index_out_of_range", field, value=index, min=french_decimal(limits.MIN_INDEX),
                            max=french_decimal(limits.MAX_INDEX), **where))


def _check_date(value, field: str, issues, **where) -> None:
    if isinstance(value, datetime.date) and not limits.date_in_range(value):
        issues.append(issue("date_out_of_range", field, value=french_date(value) if value.year >= 1000 else value,
                            min=french_date(limits.MIN_DATE), max=french_date(limits.MAX_DATE), **where))


# --------------------------------------------------------------------------------------------------- contract


def _check_contract(contract: Contract, issues: list[ValidationIssue]) -> None:
    if not contract.lines:
        issues.append(issue("no_lines", "market.lines"))
    seen: set[str] = set()
    for line in contract.lines:
        _check_line(line, seen, issues)
    _check_contract_terms(contract, issues)


def _check_line(line, seen: set[str], issues: list[ValidationIssue], prefix: str = "") -> None:
    """A contract line (initial or added by an amendment); ``seen``: the refs already used."""
    where = {"line": line.ref}
    if line.ref in seen:
        issues.append(issue("duplicate_line_ref", f"{prefix}ref", **where))
    seen.add(line.ref)
    if line.kind not in (LineKind.FORFAIT, LineKind.UNITAIRE):
        issues.append(issue("unknown_kind", f"{prefix}kind", value=line.kind, **where))
    _check_unit_price(line.unit_price, f"{prefix}unit_price", issues, **where)
    quantity = _number(line.quantity, f"{prefix}quantity", issues, **where)
    if quantity is not None and quantity < 0:
        issues.append(issue("negative_contract_quantity", f"{prefix}quantity", value=quantity, **where))
    _check_quantity(quantity, f"{prefix}quantity", issues, **where)
    _check_range(line.vat_rate, Decimal(0), HUNDRED, "vat_rate_out_of_range", f"{prefix}vat_rate", issues, **where)

def _check_unit_price(value, field: str, issues, **where) -> None:
    unit_price = _number(value, field, issues, **where)
    if unit_price is not None and unit_price < 0:
        issues.append(issue("negative_unit_price", field, value=unit_price, **where))
    elif unit_price is not None and not has_at_most_decimals(unit_price, MAX_UNIT_PRICE_DECIMALS):
        issues.append(issue("unit_price_precision", field, value=unit_price, **where))
    elif unit_price is not None and unit_price > limits.MAX_UNIT_PRICE:
        issues.append(issue("unit_price_too_large", field, value=unit_price,
                            max=french_decimal(limits.MAX_UNIT_PRICE), **where))


def _check_amendments(contract: Contract, issues: list[ValidationIssue]) -> None:
    """Numbers unique, periods well formed, new lines valid with new refs, changes on known lines."""
    seen_refs = {line.ref for line in contract.lines}
    numbers: set[str] = set()
    known = set(seen_refs)
    positions = {id(amendment): i for i, amendment in enumerate(contract.amendments)}
    for amendment in amendments.ordered(contract):
        path = f"market.amendments[{positions[id(amendment)]}]"
        if not isinstance(amendment.number, str) or not amendment.number.strip():
            issues.append(issue("empty_text", f"{path}.number"))
        elif amendment.number in numbers:
            issues.append(issue("duplicate_amendment_number", f"{path}.number", value=amendment.number))
        numbers.add(amendment.number)
        if not isinstance(amendment.period, str) or not PERIOD_PATTERN.fullmatch(amendment.period):
            issues.append(issue("bad_period", f"{path}.period", value=amendment.period))
        elif not limits.MIN_YEAR <= int(amendment.period[:4]) <= limits.MAX_YEAR:
            issues.append(issue("period_out_of_range", f"{path}.period", value=amendment.period,
                                min=f"{limits.MIN_DATE:%m/%Y}", max=f"{limits.MAX_DATE:%m/%Y}"))
        _check_date(amendment.date, f"{path}.date", issues)
        for line in amendment.lines:
            _check_line(line, seen_refs, issues, prefix=f"{path}.lines.")
            known.add(line.ref)
        for number, change in enumerate(amendment.changes):
            field = f"{path}.changes[{number}]"
            if change.ref not in known:
                issues.append(issue("unknown_line", f"{field}.ref", line=change.ref))
            if change.unit_price is None and change.quantity is None:
                issues.append(issue("empty_change", field, line=change.ref))
            if change.unit_price is not None:
                _check_unit_price(change.unit_price, f"{field}.unit_price", issues, line=change.ref)
            if change.quantity is not None:
                quantity = _number(change.quantity, f"{field}.quantity", issues, line=change.ref)
                if quantity is not None and quantity < 0:
                    issues.append(issue("negative_contract_quantity", f"{field}.quantity", value=quantity,
                                        line=change.ref))
                _check_quantity(quantity, f"{field}.quantity", issues, line=change.ref)


def _check_contract_terms(contract: Contract, issues: list[ValidationIssue]) -> None:
    if contract.revision is not None:
        for name in ("fixed", "variable"):
            _check_range(getattr(contract.revision, name), Decimal(0), limits.MAX_FRACTION, "fraction_out_of_range",
                         f"market.revision.{name}", issues)
        _check_index(contract.revision.base_index, "market.revision.base_index", "base_index_not_positive", issues)

    if contract.advance is not None:
        _check_range(
            contract.advance.rate, Decimal(0), MAX_ADVANCE_RATE, "advance_rate_out_of_range", "market.advance.rate",
            issues,
        )
        start = _number(contract.advance.start, "market.advance.start", issues)
        end = _number(contract.advance.end, "market.advance.end", issues)
        for name, value in (("start", start), ("end", end)):
            if value is not None and not 0 <= value <= limits.MAX_FRACTION:
                issues.append(issue("fraction_out_of_range", f"market.advance.{name}", value=value))
        if start is not None and end is not None and start >= end:
            issues.append(issue("advance_start_not_before_end", "market.advance.start", start=start, end=end))

    _check_range(
        contract.retention_rate, Decimal(0), MAX_RETENTION_RATE, "retention_rate_out_of_range",
        "market.retention_rate", issues,
    )
    _check_date(contract.start_date, "market.start_date", issues)
    duration = contract.duration_months
    if isinstance(duration, int) and not isinstance(duration, bool) and not (
        limits.MIN_DURATION_MONTHS <= duration <= limits.MAX_DURATION_MONTHS
    ):
        issues.append(issue("duration_out_of_range", "market.duration_months", value=duration,
                            min=limits.MIN_DURATION_MONTHS, max=limits.MAX_DURATION_MONTHS))


# ------------------------------------------------------------------------------------------------- situations


def _check_situations(contract, forfait_refs: dict[str, bool], situations: Sequence[SituationInput], issues) -> None:
    added_since = amendments.first_period(contract)
    numbers_seen: set[str] = set()
    previous: tuple[str, str] | None = None  # (name, period) of the last situation with a well-formed period
    for position, situation in enumerate(situations):
        name = situation_name(situation, position)
        where = {"situation": name}

        if situation.number in numbers_seen:
            issues.append(issue("duplicate_number", "number", **where))
        numbers_seen.add(situation.number)

        if not isinstance(situation.period, str) or not PERIOD_PATTERN.fullmatch(situation.period):
            issues.append(issue("bad_period", "period", value=situation.period, **where))
        elif not limits.MIN_YEAR <= int(situation.period[:4]) <= limits.MAX_YEAR:
            issues.append(issue("period_out_of_range", "period", value=situation.period,
                                min=f"{limits.MIN_DATE:%m/%Y}", max=f"{limits.MAX_DATE:%m/%Y}", **where))
        else:
            if previous is not None and situation.period <= previous[1]:
                issues.append(
                    issue("period_not_increasing", "period", previous=previous[0], previous_period=previous[1], **where)
                )
            previous = (name, situation.period)

        if contract.revision is not None and situation.index is None:
            issues.append(issue("missing_index", "index", **where))
        elif situation.index is not None:
            _check_index(situation.index, "index", "index_not_positive", issues, **where)
        _check_date(situation.date, "date", issues, **where)

        for ref, value in situation.progress.items():
            since = added_since.get(ref)
            if since is not None and isinstance(situation.period, str) and situation.period < since:
                issues.append(issue("line_not_in_force", "progress", since=since, situation=name, line=ref))
                continue
            _check_progress(forfait_refs.get(ref), value, issues, situation=name, line=ref)

        for number, penalty in enumerate(situation.penalties):
            _check_money(penalty.amount, f"penalties[{number}].amount", issues, **where)
        _check_money(situation.advance_paid, "advance_paid", issues, **where)
        _check_final(situation.final, position == len(situations) - 1, issues, **where)


def _check_final(final, last: bool, issues, **where) -> None:
    """``final`` is a boolean, and only the market's last situation may be its final statement (§6)."""
    if not isinstance(final, bool):
        issues.append(issue("not_a_boolean", "final", got=repr(final), **where))
    elif final and not last:
        issues.append(issue("final_not_last", "final", **where))


def _check_progress(forfait: bool | None, value, issues, **where) -> None:
    """A cumulative percentage (forfait line) or quantity (unitaire line); ``forfait`` is None for an unknown ref."""
    if forfait is None:
        issues.append(issue("unknown_line", "progress", **where))
    elif forfait:
        _check_range(value, Decimal(0), HUNDRED, "percentage_out_of_range", "progress", issues, **where)
    else:
        quantity = _number(value, "progress", issues, **where)
        if quantity is not None and quantity < 0:
            issues.append(issue("negative_quantity", "progress", value=quantity, **where))
        _check_quantity(quantity, "progress", issues, **where)
