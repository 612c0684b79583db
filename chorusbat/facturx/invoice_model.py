"""What a Factur-X document is built from: ``InvoiceData``, a frozen, typed copy of one computed situation.

Everything the XML and the PDF print comes from here, and nothing is recomputed downstream except the
§5 mapping of ``situation-rules.md`` (see :mod:`chorusbat.facturx.mapping`). The constructor checks that
the engine's figures add up (``ttc = a + d + b``, ``net = ttc + e − c − f − g``, sums per rate), so a
document can only be built from a coherent situation; the validation gate later proves the XML carries
exactly these figures.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal

from chorusbat.facturx.french_messages import message
from chorusbat.figures import RATE_FIGURES, TOTALS

ZERO = Decimal("0.00")


class InvoiceDataError(ValueError):
    """The situation cannot be turned into an invoice; the message is French and meant for the user."""


@dataclass(frozen=True)
class Address:
    """A postal address. EN 16931 requires at least the country code for both parties."""

    line1: str = ""
    line2: str = ""
    postcode: str = ""
    city: str = ""
    country_code: str = "FR"


@dataclass(frozen=True)
class Party:
    """A company or public body, identified by its SIRET (14 digits).

    ``legal_form``, ``share_capital`` (as printed, e.g. ``10 000 €``) and ``rcs`` (e.g. ``RCS Nantes 732 829 320``)
    are the supplier's legal mentions; optional, printed on the PDF when known.
    """

    name: str
    siret: str
    vat_number: str = ""
    address: Address = field(default_factory=Address)
    legal_form: str = ""
    share_capital: str = ""
    rcs: str = ""

    @property
    def siren(self) -> str:
        return self.siret[:9]


@dataclass(frozen=True)
class EmbeddedFile:
    """A file that goes with the invoice: the supplier's logo, or a supporting document (attachment).

    Its bytes are left out of ``repr`` (which the inputs digest hashes); their SHA-256 stands for them there.
    ``mime`` is ``application/pdf``, ``image/png``, ``image/jpeg`` or (logo only) ``image/svg+xml``.
    """

    name: str
    mime: str
    data: bytes = field(repr=False)
    description: str = ""
    sha256: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())


@dataclass(frozen=True)
class SituationLine:
    """One contract line as it stands in this situation (the décompte table of the PDF).

    ``progress`` is the cumulative percentage for a ``forfait`` line and the cumulative quantity for a
    ``unitaire`` line; ``cumulative``, ``previous`` and ``period`` are the engine's amounts.
    """

    ref: str
    label: str
    kind: str
    unit: str
    unit_price: Decimal
    contract_quantity: Decimal
    contract_amount: Decimal
    vat_rate: Decimal
    progress: Decimal
    cumulative: Decimal
    previous: Decimal
    period: Decimal


@dataclass(frozen=True)
class RateBreakdown:
    """The situation's figures for one VAT rate (§3): cumulative HT, a[r], d[r] and b[r]."""

    rate: Decimal
    cumulative_ht: Decimal
    a: Decimal
    d: Decimal
    b: Decimal

    @property
    def base(self) -> Decimal:
        """The VAT base of the invoice for this rate (§5): ``a[r] + d[r]``."""
        return self.a + self.d


@dataclass(frozen=True)
class Penalty:
    label: str
    amount: Decimal


@dataclass(frozen=True)
class FinalRecap:
    """The market recalled by a projet de décompte final (situation-rules.md §6), over the market's whole chain.

    ``acomptes_ht`` is Σ (a + d) and ``acomptes_ttc`` Σ ttc of every situation up to and including the final
    statement; ``advance_paid`` Σ e, ``advance_recovered`` Σ f (= ``advance_amount``), ``retention_held`` Σ g.
    """

    initial_ht: Decimal
    initial_ttc: Decimal
    amendments_ht: Decimal
    amendments_ttc: Decimal
    current_ht: Decimal
    current_ttc: Decimal
    acomptes_ht: Decimal
    acomptes_ttc: Decimal
    advance_amount: Decimal
    advance_paid: Decimal
    advance_recovered: Decimal
    retention_held: Decimal
    situations: int = 1  # how many situations the chain counts, the final statement included


@dataclass(frozen=True)
class InvoiceData:
    """One situation, ready to be issued as an invoice (or a credit note when ``ttc`` is negative)."""

    supplier: Party
    buyer: Party
    market_number: str
    market_title: str
    framework: str
    invoice_number: str
    issue_date: date
    period: str
    coefficient: Decimal
    lines: tuple[SituationLine, ...]
    by_rate: tuple[RateBreakdown, ...]
    a: Decimal
    d: Decimal
    b: Decimal
    ttc: Decimal
    c: Decimal
    e: Decimal
    f: Decimal
    g: Decimal
    net: Decimal
    iban: str = ""
    bic: str = ""
    engagement: str = ""
    service_code: str = ""
    moe: Party | None = None
    payment_delay_days: int = 30
    reverse_charge: bool = False
    penalties: tuple[Penalty, ...] = ()
    retention_rate: Decimal = ZERO
    original_invoice_number: str = ""
    original_invoice_date: date | None = None
    late_payment_rate: str = field(default_factory=lambda: message("late_payment_rate"))
    recovery_indemnity: Decimal = Decimal("40.00")
    currency: str = "EUR"
    vat_on_debits: bool = False  # the supplier opted for VAT on debits: printed as a legal mention
    logo: EmbeddedFile | None = None
    # Supporting documents sent with the invoice: BG-24 in the XML and PDF/A-3 files (AFRelationship Supplement).
    attachments: tuple[EmbeddedFile, ...] = ()
    # The projet de décompte final (situation-rules.md §6): its recap of the market, required when ``final``.
    final: bool = False
    final_recap: FinalRecap | None = None

    def __post_init__(self) -> None:
        self._check_amount_types()
        self._check_totals()
        if self.is_credit_note and not (self.original_invoice_number and self.original_invoice_date):
            raise InvoiceDataError(message("credit_note_without_original", number=self.invoice_number))
        if not self.is_credit_note and not self.iban:
            raise InvoiceDataError(message("missing_iban", number=self.invoice_number))
        if self.reverse_charge:
            for rate in self.by_rate:
                if rate.b != 0 or rate.rate != 0:
                    raise InvoiceDataError(
                        message("reverse_charge_with_vat", number=self.invoice_number, rate=rate.rate, vat=rate.b)
                    )
        if not self.lines:
            raise InvoiceDataError(message("no_lines", number=self.invoice_number))
        self._check_final_recap()
        names = [attachment.name for attachment in self.attachments]
        if len(set(names)) != len(names) or "factur-x.xml" in names:
            raise InvoiceDataError(message("attachment_names", number=self.invoice_number))
        rates = {rate.rate for rate in self.by_rate}
        for line in self.lines:
            if line.vat_rate not in rates:
                raise InvoiceDataError(
                    message("unknown_rate", number=self.invoice_number, ref=line.ref, rate=line.vat_rate)
                )

    @property
    def is_credit_note(self) -> bool:
        """§5: a situation whose ``ttc`` is negative is issued as a credit note (type code 381)."""
        return self.ttc < 0

    @property
    def paid_amount(self) -> Decimal:
        """§5: Factur-X BT-113 = c + f + g − e (deductions that are not VAT allowances)."""
        return self.c + self.f + self.g - self.e

    def _money_values(self) -> list[tuple[str, object]]:
        values: list[tuple[str, object]] = [
            (name, getattr(self, name)) for name in TOTALS
        ]
        for line in self.lines:
            values += [(f"{line.ref}.{item.name}", getattr(line, item.name)) for item in fields(line)
                       if item.name in ("cumulative", "previous", "period", "contract_amount")]
        for rate in self.by_rate:
            values += [(f"{rate.rate}%.{name}", getattr(rate, name)) for name in RATE_FIGURES]
        values += [(f"pénalité {penalty.label}", penalty.amount) for penalty in self.penalties]
        if self.final_recap is not None:
            values += [(f"récapitulatif.{item.name}", getattr(self.final_recap, item.name))
                       for item in fields(self.final_recap) if item.name != "situations"]
        return values

    def _check_final_recap(self) -> None:
        """A final statement carries its recap, whose amounts add up (initial + amendments = current)."""
        recap = self.final_recap
        if self.final != (recap is not None):
            raise InvoiceDataError(message("final_recap_missing", number=self.invoice_number))
        if recap is None:
            return
        checks = {
            "current_ht": (recap.current_ht, recap.initial_ht + recap.amendments_ht),
            "current_ttc": (recap.current_ttc, recap.initial_ttc + recap.amendments_ttc),
        }
        for name, (actual, expected) in checks.items():
            if actual != expected:
                raise InvoiceDataError(message("inconsistent_total", number=self.invoice_number,
                                               field=f"récapitulatif.{name}", actual=actual, expected=expected))

    def _check_amount_types(self) -> None:
        for name, value in self._money_values():
            if not isinstance(value, Decimal) or not value.is_finite():
                raise InvoiceDataError(message("not_decimal", number=self.invoice_number, field=name, value=value))
            if value != value.quantize(Decimal("0.01")):
                raise InvoiceDataError(
                    message("too_many_decimals", number=self.invoice_number, field=name, value=value)
                )

    def _check_totals(self) -> None:
        expected = {
            "a": sum((rate.a for rate in self.by_rate), ZERO),
            "d": sum((rate.d for rate in self.by_rate), ZERO),
            "b": sum((rate.b for rate in self.by_rate), ZERO),
            "ttc": self.a + self.d + self.b,
            "c": sum((penalty.amount for penalty in self.penalties), ZERO),
            "net": self.ttc + self.e - self.c - self.f - self.g,
        }
        for rate in self.by_rate:
            expected[f"a[{rate.rate}]"] = sum((line.period for line in self.lines if line.vat_rate == rate.rate), ZERO)
        actual = {name: getattr(self, name) for name in ("a", "d", "b", "ttc", "c", "net")}
        actual.update({f"a[{rate.rate}]": rate.a for rate in self.by_rate})
        for name, value in expected.items():
            if actual[name] != value:
                raise InvoiceDataError(
                    message("inconsistent_total", number=self.invoice_number, field=name,
                            actual=actual[name], expected=value)
                )
