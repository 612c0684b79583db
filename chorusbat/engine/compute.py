"""The computation of a chain of situations, ``situation-rules.md`` §2–§3, step by step.

A situation needs the previous one's line cumulatives and advance recovered R(n−1), so the engine always
computes the whole chain of a market from its first situation: it is linear in situations × lines and cheap,
and it means there is no stored intermediate state that could disagree with the rules.

Rounding happens only where the rules name ``round2`` (and the index/coefficient round-up); everything else
is exact (see ``rounding.py``).

Revision coefficient: the rules round the index ``In`` up to 0.001. The expected example output
(coefficient 1.005 for 0.125 + 0.875 × 119.0 / 118.4 = 1.00443…) and CCAG practice ("au millième supérieur",
works-billing-background.md §8) also round the coefficient ``Cn`` itself up to 0.001; both are applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import NamedTuple

from chorusbat.figures import RATE_FIGURES

from . import amendments, limits
from .limits import french_decimal
from .model import (
    ZERO,
    AmendmentResult,
    Contract,
    ContractResult,
    LineKind,
    LineResult,
    RateResult,
    Revision,
    SituationInput,
    SituationResult,
)
from .rounding import EXACT_PRECISION, MONEY_ZERO, ceil_thousandth, money, round2, round2_fraction
from .sentences import SituationValidationError, ValidationIssue, issue
from .validation import validate

ONE = Decimal(1)
HUNDRED = Decimal(100)
COEFFICIENT_ONE = Decimal("1.000")


def compute(contract: Contract, situations: Sequence[SituationInput]) -> ContractResult:
    """Validate the contract and all situations (every issue at once), then compute the whole chain.

    Raises ``SituationValidationError`` listing every issue; nothing is computed in that case.
    """
    issues = validate(contract, situations)
    if issues:
        raise SituationValidationError(issues)
    with localcontext(prec=EXACT_PRECISION):
        result = _compute_chain(contract, situations)
    issues = result_issues(contract, result)
    if issues:
        raise SituationValidationError(issues)
    return result


# Names of the computed amounts in messages (French, as on the décompte).
RESULT_NAMES = {
    "contract_ht": "montant HT du marché", "contract_ttc": "montant TTC du marché", "advance_amount": "avance",
    "cumulative_ht": "cumul HT", "a": "a", "d": "d", "b": "b", "ttc": "TTC", "c": "c", "e": "e", "f": "f",
    "g": "g", "net": "net à payer", "advance_recovered_cumulative": "avance remboursée cumulée",
    "cumulative_ttc_initial": "cumul TTC aux prix initiaux",
}


def result_issues(contract: Contract, result: ContractResult) -> list[ValidationIssue]:
    """Results that would not fit the money columns or the invoice formats (``limits.MAX_AMOUNT``).

    Every input can be within its own bounds while a product or a sum is not (a huge unit price × a huge
    quantity, many lines, an index far from its base): such a chain is refused like an invalid input.
    """
    issues: list[ValidationIssue] = []
    maximum = french_decimal(limits.MAX_AMOUNT)

    def check(value: Decimal, name: str, field: str, **where) -> None:
        if not limits.amount_in_range(value):
            issues.append(issue("result_too_large", field, name=RESULT_NAMES.get(name, name),
                                value=french_decimal(value), max=maximum, **where))

    for line in (*contract.lines, *amendments.all_lines(contract)):
        total = round2(line.unit_price * line.quantity)
        if not limits.amount_in_range(total):
            issues.append(issue("line_total_too_large", "quantity", line=line.ref, value=french_decimal(total),
                                max=maximum))
    for name in ("contract_ht", "contract_ttc", "advance_amount"):
        check(getattr(result, name), name, "contract")
    for amendment in result.amendments:
        for name, value in (("contract_ht", amendment.ht_after), ("contract_ttc", amendment.ttc_after)):
            check(value, name, "contract")
    for situation in result.situations:
        where = {"situation": situation.number}
        if situation.coefficient > limits.MAX_COEFFICIENT:
            issues.append(issue("coefficient_too_large", "index", value=situation.coefficient,
                                max=french_decimal(limits.MAX_COEFFICIENT), **where))
        for name in RESULT_NAMES:
            if hasattr(situation, name):
                check(getattr(situation, name), name, "result", **where)
        for line in situation.lines:
            for name in ("cumulative", "previous", "period"):
                if not limits.amount_in_range(getattr(line, name)):
                    check(getattr(line, name), "cumulative_ht", "progress", line=line.ref, **where)
        for rate in situation.by_rate:
            for name in ("cumulative_ht", *RATE_FIGURES):
                check(getattr(rate, name), name, "result", **where)
    # one message per amount is enough: the same overflow shows in many totals
    unique, seen = [], set()
    for problem in issues:
        if problem.message not in seen:
            seen.add(problem.message)
            unique.append(problem)
    return unique


def revision_coefficient(revision: Revision | None, index: Decimal | None) -> tuple[Decimal, Decimal | None]:
    """``(Cn, In)``: the index rounded up to 0.001, then ``Cn = fixed + variable × In / base`` rounded up to 0.001."""
    if revision is None:
        return COEFFICIENT_ONE, None
    index_used = ceil_thousandth(index)
    exact = (Fraction(revision.fixed)
             + Fraction(revision.variable) * Fraction(index_used) / Fraction(revision.base_index))
    return ceil_thousandth(exact), index_used


def normalized_rate(rate: Decimal) -> Decimal:
    """A VAT rate without trailing zeros or exponent (``20.0`` → ``20``, ``5.50`` → ``5.5``); equal rates merge."""
    return Decimal(format(rate.normalize(), "f"))


def ttc_at_initial_prices(ht_by_rate: dict[Decimal, Decimal]) -> Decimal:
    """``Σ_r round2(HT[r] × (1 + r/100))`` — used for the contract TTC ``T`` and the cumulative TTC."""
    return sum((round2(ht * (ONE + rate / HUNDRED)) for rate, ht in ht_by_rate.items()), MONEY_ZERO)


def advance_recovered(contract: Contract, advance_amount: Decimal, contract_ttc: Decimal,
                      cumulative_ttc: Decimal) -> Decimal:
    """``R(n) = round2(A × clamp((cumulative TTC − start × T) / ((end − start) × T), 0, 1))``; 0 without advance."""
    advance = contract.advance
    if advance is None or not contract_ttc:
        return MONEY_ZERO
    ratio = (Fraction(cumulative_ttc - advance.start * contract_ttc)
             / Fraction((advance.end - advance.start) * contract_ttc))
    return round2_fraction(Fraction(advance_amount) * min(max(ratio, Fraction(0)), Fraction(1)))


class _LinePlan(NamedTuple):
    """What a line's cumulative needs, computed once per contract: ``cumulative = round2(factor × progress)``.

    ``factor`` is ``line_total / 100`` for a forfait line (exact: the line total has 2 decimals) and the unit
    price for a unitaire line; ``rate`` is the position of the line's VAT rate in the sorted rates.
    """

    ref: str
    factor: Decimal
    rate: int


def _amounts(lines, rates: list[Decimal]) -> tuple[Decimal, Decimal]:
    """``(HT, TTC)`` of a set of contract lines (§2: line totals, per rate, TTC per rate)."""
    ht_by_rate = dict.fromkeys(rates, MONEY_ZERO)
    for line in lines:
        ht_by_rate[normalized_rate(line.vat_rate)] += round2(line.unit_price * line.quantity)
    return sum(ht_by_rate.values(), MONEY_ZERO), ttc_at_initial_prices(ht_by_rate)


def _plan(lines, rate_position: dict[Decimal, int]) -> list[_LinePlan]:
    plan = []
    for line in lines:
        line_total = round2(line.unit_price * line.quantity)
        factor = line_total / HUNDRED if line.kind == LineKind.FORFAIT else line.unit_price
        plan.append(_LinePlan(line.ref, factor, rate_position[normalized_rate(line.vat_rate)]))
    return plan


def _amendment_results(contract: Contract, rates: list[Decimal]) -> list[AmendmentResult]:
    lines = {line.ref: line for line in contract.lines}
    before_ht, before_ttc = _amounts(lines.values(), rates)
    results = []
    for amendment in amendments.ordered(contract):
        amendments.apply(lines, amendment)
        ht, ttc = _amounts(lines.values(), rates)
        results.append(AmendmentResult(number=amendment.number, period=amendment.period, ht_change=ht - before_ht,
                                       ttc_change=ttc - before_ttc, ht_after=ht, ttc_after=ttc))
        before_ht, before_ttc = ht, ttc
    return results


def _compute_chain(contract: Contract, situations: Sequence[SituationInput]) -> ContractResult:
    rates = sorted({normalized_rate(line.vat_rate) for line in amendments.all_lines(contract)})
    rate_position = {rate: position for position, rate in enumerate(rates)}

    contract_ht, contract_ttc = _amounts(contract.lines, rates)
    advance_amount = round2(contract.advance.rate * contract_ttc) if contract.advance else MONEY_ZERO
    amendment_results = _amendment_results(contract, rates)

    plans: dict[tuple[str, ...], list[_LinePlan]] = {}
    previous: dict[str, Decimal] = {}
    recovered_before = MONEY_ZERO
    results = []
    for situation in situations:
        lines = amendments.lines_at(contract, situation.period) if contract.amendments else contract.lines
        key = tuple(f"{line.ref}\x00{line.unit_price}\x00{line.quantity}" for line in lines)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = _plan(lines, rate_position)
        result = _compute_situation(
            contract, situation, rates, plan, [previous.get(line.ref, MONEY_ZERO) for line in plan],
            recovered_before, contract_ttc, advance_amount,
        )
        previous = {line.ref: line.cumulative for line in result.lines}
        recovered_before = result.advance_recovered_cumulative
        results.append(result)
    return ContractResult(
        contract_ht=contract_ht, contract_ttc=contract_ttc, advance_amount=advance_amount, situations=results,
        amendments=amendment_results,
        current_ht=amendment_results[-1].ht_after if amendment_results else contract_ht,
        current_ttc=amendment_results[-1].ttc_after if amendment_results else contract_ttc,
    )


def _compute_situation(
    contract: Contract,
    situation: SituationInput,
    rates: list[Decimal],
    plan: list[_LinePlan],
    previous: list[Decimal],
    recovered_before: Decimal,
    contract_ttc: Decimal,
    advance_amount: Decimal,
) -> SituationResult:
    coefficient, index_used = revision_coefficient(contract.revision, situation.index)

    # Lines: cumulative, previous, period; summed per VAT rate (by position in ``rates``).
    cumulative_by_rate = [MONEY_ZERO] * len(rates)
    a_by_rate = [MONEY_ZERO] * len(rates)
    lines = []
    for line, before in zip(plan, previous):
        progress = situation.progress.get(line.ref, ZERO)
        cumulative = round2(line.factor * progress)
        period = cumulative - before
        lines.append(LineResult(ref=line.ref, cumulative=cumulative, previous=before, period=period, progress=progress))
        cumulative_by_rate[line.rate] += cumulative
        a_by_rate[line.rate] += period

    # Per rate: a (acompte at initial prices), d (revision), b (VAT).
    by_rate = []
    for rate, cumulative_ht, a in zip(rates, cumulative_by_rate, a_by_rate):
        d = round2(a * (coefficient - ONE))
        b = round2((a + d) * rate / HUNDRED)
        by_rate.append(RateResult(rate=rate, cumulative_ht=cumulative_ht, a=a, d=d, b=b))

    # Totals and deductions.
    a = sum((r.a for r in by_rate), MONEY_ZERO)
    d = sum((r.d for r in by_rate), MONEY_ZERO)
    b = sum((r.b for r in by_rate), MONEY_ZERO)
    ttc = a + d + b
    c = money(sum((penalty.amount for penalty in situation.penalties), ZERO))
    e = money(situation.advance_paid)
    cumulative_ttc_initial = ttc_at_initial_prices(dict(zip(rates, cumulative_by_rate)))
    recovered = advance_recovered(contract, advance_amount, contract_ttc, cumulative_ttc_initial)
    if situation.final:  # §6: the final statement settles the advance, whatever the cumulative TTC reached
        recovered = advance_amount
    f = recovered - recovered_before
    g = round2(contract.retention_rate * ttc)
    net = ttc + e - c - f - g

    return SituationResult(
        number=situation.number,
        period=situation.period,
        coefficient=coefficient,
        lines=lines,
        by_rate=by_rate,
        cumulative_ht=sum(cumulative_by_rate, MONEY_ZERO),
        a=a,
        d=d,
        b=b,
        ttc=ttc,
        c=c,
        e=e,
        f=f,
        g=g,
        net=net,
        advance_recovered_cumulative=recovered,
        cumulative_ttc_initial=cumulative_ttc_initial,
        index=index_used,
        final=situation.final,
    )
