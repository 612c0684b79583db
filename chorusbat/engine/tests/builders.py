"""Small constructors that keep the hand-checked test cases short and readable."""

from __future__ import annotations

from decimal import Decimal

from chorusbat.engine import Advance, Contract, ContractLine, Penalty, Revision, SituationInput


def D(value) -> Decimal:  # noqa: N802 - reads like a literal in the tests
    return Decimal(str(value))


def line(ref: str, kind: str, unit_price, quantity, vat_rate="20") -> ContractLine:
    return ContractLine(
        ref=ref, label=f"Line {ref}", kind=kind, unit="u", unit_price=D(unit_price), quantity=D(quantity),
        vat_rate=D(vat_rate),
    )


def contract(*lines: ContractLine, revision=None, advance=None, retention="0") -> Contract:
    """``revision=(fixed, variable, base)``, ``advance=(rate, start, end)`` or ``advance=rate``."""
    if revision is not None:
        revision = Revision(*(D(value) for value in revision))
    if advance is not None:
        advance = Advance(*(D(value) for value in advance)) if isinstance(advance, tuple) else Advance(D(advance))
    return Contract(lines=tuple(lines), revision=revision, advance=advance, retention_rate=D(retention), number="M1")


def situation(number: str, period: str, progress: dict, *, index=None, penalties=(), advance_paid="0",
              final=False) -> SituationInput:
    return SituationInput(
        number=number,
        period=period,
        progress={ref: D(value) for ref, value in progress.items()},
        index=None if index is None else D(index),
        penalties=tuple(Penalty(label, D(amount)) for label, amount in penalties),
        advance_paid=D(advance_paid),
        final=final,
    )
