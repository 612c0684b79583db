"""Amendments (avenants) of a contract: which lines, prices and quantities are in force for a period.

The initial contract's lines, then each amendment in order (by period, then list order) adds its lines and
replaces the unit price and/or quantity of existing ones. A situation of period p is computed with the lines in
force at p (every amendment whose period is ≤ p applied); its ``previous`` per line is what the situation before it
computed, so a price change from an amendment's period on is billed once, on the situations of that period and
after. Pure Python, no Django.
"""

from __future__ import annotations

from dataclasses import replace

from .model import Amendment, Contract, ContractLine


def ordered(contract: Contract) -> list[Amendment]:
    """The amendments in the order they apply (stable sort by period)."""
    return sorted(contract.amendments, key=lambda amendment: str(amendment.period))


def apply(lines: dict[str, ContractLine], amendment: Amendment) -> None:
    """Apply ``amendment`` to ``lines`` (ref → line, in order), in place. Unknown refs are left to validation."""
    for line in amendment.lines:
        lines.setdefault(line.ref, line)
    for change in amendment.changes:
        line = lines.get(change.ref)
        if line is None:
            continue
        lines[change.ref] = replace(
            line,
            unit_price=line.unit_price if change.unit_price is None else change.unit_price,
            quantity=line.quantity if change.quantity is None else change.quantity,
        )


def lines_at(contract: Contract, period: str | None) -> tuple[ContractLine, ...]:
    """The lines in force for a situation of ``period`` (``None``: after every amendment)."""
    lines = {line.ref: line for line in contract.lines}
    for amendment in ordered(contract):
        if period is not None and str(amendment.period) > period:
            break
        apply(lines, amendment)
    return tuple(lines.values())


def all_lines(contract: Contract) -> tuple[ContractLine, ...]:
    return lines_at(contract, None)


def first_period(contract: Contract) -> dict[str, str]:
    """The period from which each line added by an amendment exists (initial lines are not listed)."""
    initial = {line.ref for line in contract.lines}
    since: dict[str, str] = {}
    for amendment in ordered(contract):
        for line in amendment.lines:
            if line.ref not in initial:
                since.setdefault(line.ref, str(amendment.period))
    return since
