"""Typed inputs and outputs of the situation engine.

Everything is a frozen dataclass holding ``Decimal`` values, so a result can be passed around (screen, PDF,
Factur-X, Chorus Pro) without anyone being able to alter a figure on the way. Field names follow
``situation-rules.md`` (§2 contract, §3 situation) so the code reads next to the rules.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal("0")


class LineKind(StrEnum):
    """How a contract line is billed (a ``StrEnum``: compares equal to the plain strings)."""

    FORFAIT = "forfait"  # lump-sum line of a DPGF, billed by cumulative percentage
    UNITAIRE = "unitaire"  # unit-price line of a BPU/DQE, billed by cumulative quantity


# ----------------------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class ContractLine:
    ref: str
    label: str
    kind: LineKind | str
    unit: str
    unit_price: Decimal
    quantity: Decimal
    vat_rate: Decimal
    extra_work: bool = False  # ordered extra works (ordre de service), billed like any line


@dataclass(frozen=True)
class LineChange:
    """An amendment's new unit price and/or quantity for an existing line (``None``: unchanged)."""

    ref: str
    unit_price: Decimal | None = None
    quantity: Decimal | None = None


@dataclass(frozen=True)
class Amendment:
    """An avenant: from the situations of ``period`` (``YYYY-MM``) on, its new lines exist and its changes apply.

    Amendments apply in the order of their period, then of the list (two of the same period: list order)."""

    number: str
    period: str
    date: datetime.date | None = None
    object: str = ""
    lines: tuple[ContractLine, ...] = ()
    changes: tuple[LineChange, ...] = ()


@dataclass(frozen=True)
class Revision:
    """Price revision ``Cn = fixed + variable × In / base_index``."""

    fixed: Decimal
    variable: Decimal
    base_index: Decimal


@dataclass(frozen=True)
class Advance:
    """Advance of ``rate × T``, recovered linearly while cumulative TTC goes from ``start × T`` to ``end × T``."""

    rate: Decimal
    start: Decimal = Decimal("0.65")
    end: Decimal = Decimal("0.80")


@dataclass(frozen=True)
class Contract:
    """A market (marché): its lines and billing parameters, plus the identifiers an invoice needs."""

    lines: tuple[ContractLine, ...]
    revision: Revision | None = None
    advance: Advance | None = None
    retention_rate: Decimal = ZERO
    number: str = ""
    engagement: str | None = None
    title: str = ""
    framework: str = ""
    start_date: datetime.date | None = None
    duration_months: int | None = None
    amendments: tuple[Amendment, ...] = ()


@dataclass(frozen=True)
class Penalty:
    label: str
    amount: Decimal


@dataclass(frozen=True)
class SituationInput:
    """Situation n as entered: cumulative progress per line ref (missing ref = 0)."""

    number: str
    period: str  # "YYYY-MM"
    progress: Mapping[str, Decimal]
    date: datetime.date | None = None
    index: Decimal | None = None
    penalties: tuple[Penalty, ...] = ()
    advance_paid: Decimal = ZERO
    final: bool = False  # the projet de décompte final: the market's last situation (situation-rules.md §6)


# ---------------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class LineResult:
    ref: str
    cumulative: Decimal
    previous: Decimal
    period: Decimal
    progress: Decimal  # the cumulative percentage (forfait) or quantity (unitaire) it was computed from


@dataclass(frozen=True)
class RateResult:
    rate: Decimal
    cumulative_ht: Decimal
    a: Decimal
    d: Decimal
    b: Decimal


@dataclass(frozen=True)
class SituationResult:
    """Every figure of situation n (names of ``situation-rules.md`` §3); money has exactly 2 decimals."""

    number: str
    period: str
    coefficient: Decimal
    lines: list[LineResult]
    by_rate: list[RateResult]
    cumulative_ht: Decimal
    a: Decimal
    d: Decimal
    b: Decimal
    ttc: Decimal
    c: Decimal
    e: Decimal
    f: Decimal
    g: Decimal
    net: Decimal
    advance_recovered_cumulative: Decimal
    cumulative_ttc_initial: Decimal
    index: Decimal | None = None  # the index actually used (rounded up to 0.001), None without revision
    final: bool = False  # the projet de décompte final: the advance is settled (f = A − R(n−1))


@dataclass(frozen=True)
class AmendmentResult:
    """What an amendment changes in the market's amount, and the amount after it."""

    number: str
    period: str
    ht_change: Decimal
    ttc_change: Decimal
    ht_after: Decimal
    ttc_after: Decimal


@dataclass(frozen=True)
class ContractResult:
    contract_ht: Decimal  # the initial market (before any amendment), as situation-rules.md §2
    contract_ttc: Decimal
    advance_amount: Decimal  # computed on the initial market TTC
    situations: list[SituationResult] = field(default_factory=list)
    amendments: list[AmendmentResult] = field(default_factory=list)
    current_ht: Decimal | None = None  # after every amendment (= contract_ht without amendments)
    current_ttc: Decimal | None = None
