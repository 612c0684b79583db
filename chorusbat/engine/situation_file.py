"""The situation file of ``situation-rules.md`` §4: reading it, and writing the computed result.

Reading is strict and never raises anything but ``SituationValidationError``: every structural problem
(missing key, unknown key, wrong JSON type, decimal not written as a string, malformed number, date or
period, unknown line kind) is collected, each with a French message naming where it is. Decimals must be
JSON strings in the plain form ``-1234.56`` (no exponent, no spaces): a JSON number, ``"NaN"``,
``"Infinity"`` or ``"1e309"`` is refused with a message saying why.

Unknown keys are refused in the market, lines, revision, advance, situations and penalties, where a typo would
silently change the figures; the party objects (supplier, buyer, moe) keep any extra key for the invoice
builder. The rules of §2–§3 (ranges, unknown line refs, periods…) are checked afterwards by ``compute``.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.eu import vat as stdnum_vat
from stdnum.fr import siret as stdnum_siret

from chorusbat.figures import WRITTEN

from .compute import compute
from .model import (
    Advance,
    Amendment,
    Contract,
    ContractLine,
    ContractResult,
    LineChange,
    LineKind,
    Penalty,
    Revision,
    SituationInput,
)
from .sentences import SituationValidationError, ValidationIssue, issue

DECIMAL_PATTERN = re.compile(r"-?[0-9]+(\.[0-9]+)?")  # always used with fullmatch
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SIRET_PATTERN = re.compile(r"[0-9]{14}")
NON_FINITE_WORDS = {"nan", "snan", "inf", "infinity"}
MAX_FILE_BYTES = 20 * 1024 * 1024  # a situation file is a few kilobytes; anything this large is a mistake
MAX_TEXT_LENGTH = 300  # names, labels, numbers: what the screens and the invoice formats take at most

TOP_KEYS = {"supplier", "buyer", "moe", "market", "situations"}
MARKET_KEYS = {
    "number", "engagement", "title", "framework", "start_date", "duration_months", "lines", "revision", "advance",
    "retention_rate", "amendments",
}
LINE_KEYS = {"ref", "label", "kind", "unit", "unit_price", "quantity", "vat_rate", "extra_work"}
AMENDMENT_KEYS = {"number", "period", "date", "object", "lines", "changes"}
CHANGE_KEYS = {"ref", "unit_price", "quantity"}
REVISION_KEYS = {"fixed", "variable", "base_index"}
ADVANCE_KEYS = {"rate", "start", "end"}
SITUATION_KEYS = {"number", "period", "date", "index", "progress", "penalties", "advance_paid", "final"}
PENALTY_KEYS = {"label", "amount"}
_MISSING = object()


@dataclass(frozen=True)
class Parties:
    """The supplier, buyer and (optional) maître d'œuvre objects of the file, kept as given for the invoice."""

    supplier: dict
    buyer: dict
    moe: dict | None = None


# ------------------------------------------------------------------------------------------------ public API


def load_situation_file(path: str | Path) -> dict:
    """Read and decode a situation file; unreadable file or invalid JSON → ``SituationValidationError``."""
    try:
        with open(path, "rb") as stream:  # bounded read: /dev/zero or a huge file never fills the memory
            data = stream.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise _file_error("file_too_large", path=path, max=MAX_FILE_BYTES // (1024 * 1024))
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        raise _file_error("file_unreadable", path=path, reason="fichier introuvable") from None
    except IsADirectoryError:
        raise _file_error("file_unreadable", path=path, reason="c'est un dossier") from None
    except PermissionError:
        raise _file_error("file_unreadable", path=path, reason="accès refusé") from None
    except OSError as error:
        raise _file_error("file_unreadable", path=path, reason=error.strerror or type(error).__name__) from None
    except UnicodeDecodeError:
        raise _file_error("not_utf8", path=path) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _file_error("invalid_json", path=path, lineno=error.lineno, colno=error.colno) from None
    except (ValueError, RecursionError):  # numbers too long for Python, nesting too deep
        raise _file_error("unusable_json", path=path) from None


def parse_situation_file(data: dict) -> tuple[Contract, list[SituationInput], Parties]:
    """Turn a decoded situation file into engine inputs, or raise ``SituationValidationError`` with every issue."""
    reader = _Reader()
    if not reader.is_object(data, "file", _Scope()):
        raise SituationValidationError(reader.issues)
    reader.unknown_keys(data, TOP_KEYS, _Scope())
    parties = reader.parties(data)
    contract = reader.contract(data)
    situations = reader.situations(data)
    if reader.issues:
        raise SituationValidationError(reader.issues)
    return contract, situations, parties


def result_to_json(result: ContractResult) -> dict:
    """The output object of §4: money as strings with 2 decimals, coefficient with 3, rates as ``"5.5"``.

    A final statement (§6) echoes ``"final": true``; other situations have no ``final`` key, so a chain
    without a final statement is written exactly as before.

    With amendments, it also has ``amendments`` (each one's change and the amount after it) and
    ``current_ht`` / ``current_ttc`` (the market after every amendment); without, exactly the §4 object."""
    output = {
        "contract_ht": _money(result.contract_ht),
        "contract_ttc": _money(result.contract_ttc),
        "advance_amount": _money(result.advance_amount),
        "situations": [
            {
                "number": situation.number,
                "period": situation.period,
                "coefficient": f"{situation.coefficient:.3f}",
                "lines": [
                    {
                        "ref": line.ref,
                        "cumulative": _money(line.cumulative),
                        "previous": _money(line.previous),
                        "period": _money(line.period),
                    }
                    for line in situation.lines
                ],
                "by_rate": [
                    {
                        "rate": format(rate.rate.normalize(), "f"),
                        "cumulative_ht": _money(rate.cumulative_ht),
                        "a": _money(rate.a),
                        "d": _money(rate.d),
                        "b": _money(rate.b),
                    }
                    for rate in situation.by_rate
                ],
                **{
                    name: _money(getattr(situation, name))
                    for name in WRITTEN
                },
                **({"final": True} if situation.final else {}),
            }
            for situation in result.situations
        ],
    }
    if result.amendments:
        output["amendments"] = [
            {"number": a.number, "period": a.period, "ht_change": _money(a.ht_change),
             "ttc_change": _money(a.ttc_change), "ht_after": _money(a.ht_after), "ttc_after": _money(a.ttc_after)}
            for a in result.amendments
        ]
        output["current_ht"] = _money(result.current_ht)
        output["current_ttc"] = _money(result.current_ttc)
    return output


def compute_situation_file(data: dict) -> dict:
    """Parse, validate and compute a decoded situation file; returns the §4 output object."""
    contract, situations, _parties = parse_situation_file(data)
    return result_to_json(compute(contract, situations))


# ----------------------------------------------------------------------------------------------------- helpers


def _money(value: Decimal) -> str:
    """Engine amounts are exact to the cent already; this only writes them with exactly 2 decimals."""
    return f"{value:.2f}"


def _file_error(code: str, **values) -> SituationValidationError:
    return SituationValidationError([issue(code, "file", **values)])


def _shown(value: str) -> str:
    """A wrong value as a message quotes it: printable characters only, at most 40 of them."""
    text = "".join(ch if ch.isprintable() else "?" for ch in value)
    return text if len(text) <= 40 else text[:40] + "…"


def _describe(value) -> str:
    """How a wrong JSON value is shown in a message."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return f"le nombre {json.dumps(value)} sans guillemets"
    if isinstance(value, str):
        return f"« {value} »"
    return "une liste" if isinstance(value, list) else "un objet"


@dataclass(frozen=True)
class _Scope:
    """Where a value sits: its situation and line (for messages), and the path prefix of its field."""

    prefix: str = ""
    situation: str | None = None
    line: str | None = None

    def field(self, key: str) -> str:
        return f"{self.prefix}{key}"


class _Reader:
    """Reads the file piece by piece, recording every issue instead of stopping at the first."""

    def __init__(self) -> None:
        self.issues: list[ValidationIssue] = []

    def add(self, code: str, scope: _Scope, key: str, **values) -> None:
        self.issues.append(issue(code, scope.field(key), situation=scope.situation, line=scope.line, **values))

    # --- generic values

    def is_object(self, value, key: str, scope: _Scope) -> bool:
        if isinstance(value, dict):
            return True
        self.add("not_an_object", scope, key, got=_describe(value))
        return False

    def unknown_keys(self, value: dict, allowed: set[str], scope: _Scope) -> None:
        for key in sorted(set(value) - allowed):
            self.add("unknown_field", scope, key)

    def get(self, container: dict, key: str, scope: _Scope, required: bool = True):
        value = container.get(key, _MISSING)
        if value is _MISSING and required:
            self.add("missing", scope, key)
        return value

    def text(self, container: dict, key: str, scope: _Scope, required: bool = True) -> str | None:
        value = self.get(container, key, scope, required)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.add("not_a_text", scope, key, got=_describe(value))
            return None
        if required and not value.strip():
            self.add("empty_text", scope, key)
            return None
        return value

    def decimal(self, container: dict, key: str, scope: _Scope, required: bool = True) -> Decimal | None:
        value = self.get(container, key, scope, required)
        return None if value is _MISSING else self.decimal_value(value, key, scope)

    def decimal_value(self, value, key: str, scope: _Scope) -> Decimal | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.add("decimal_not_string", scope, key, got=_describe(value))
        elif not isinstance(value, str):
            self.add("not_a_text", scope, key, got=_describe(value))
        elif DECIMAL_PATTERN.fullmatch(value):
            return Decimal(value)
        elif value.strip().lstrip("+-").lower() in NON_FINITE_WORDS:
            self.add("not_finite", scope, key, value=value)
        else:
            self.add("not_a_number", scope, key, value=value)
        return None

    def date(self, container: dict, key: str, scope: _Scope) -> datetime.date | None:
        value = self.text(container, key, scope)
        if value is None:
            return None
        try:
            if DATE_PATTERN.fullmatch(value):
                return datetime.date.fromisoformat(value)
        except ValueError:
            pass
        self.add("bad_date", scope, key, value=value)
        return None

    def siret(self, container: dict, key: str, scope: _Scope, required: bool = True) -> None:
        value = self.text(container, key, scope, required)
        if value is not None and not SIRET_PATTERN.fullmatch(value):
            self.add("bad_siret", scope, key, value=value)
        elif value is not None and not stdnum_siret.is_valid(value):
            self.add("siret_checksum", scope, key, value=value)

    def iban(self, container: dict, key: str, scope: _Scope) -> None:
        value = self.text(container, key, scope, required=False)
        if value is None or not value.strip():
            return
        try:
            IBAN(value)
        except (SchwiftyException, ValueError):
            self.add("bad_iban", scope, key, value=_shown(value))

    def vat_number(self, container: dict, key: str, scope: _Scope) -> None:
        value = self.text(container, key, scope)
        if value is not None and not stdnum_vat.is_valid(value):
            self.add("bad_vat_number", scope, key, value=_shown(value))

    def bounded_texts(self, container: dict, scope: _Scope) -> None:
        """Text fields longer than anything a screen or an invoice takes are refused, whatever their key."""
        for key, value in container.items():
            if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
                self.add("text_too_long", scope, key, max=MAX_TEXT_LENGTH)

    def items(self, container: dict, key: str, scope: _Scope, required: bool = True) -> list:
        value = self.get(container, key, scope, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.add("not_a_list", scope, key, got=_describe(value))
            return []
        return value

    # --- the parts of the file

    def parties(self, root: dict) -> Parties:
        supplier = self.party(root, "supplier", ("name", "vat_number"), ("iban",), required=True)
        buyer = self.party(root, "buyer", ("name",), ("service_code",), required=True)
        moe = self.party(root, "moe", ("name",), (), required=False)
        return Parties(supplier=supplier or {}, buyer=buyer or {}, moe=moe)

    def party(self, root: dict, key: str, texts: tuple, optional_texts: tuple, required: bool) -> dict | None:
        """A party object: known fields checked, extra fields kept for the invoice builder."""
        value = self.get(root, key, _Scope(), required)
        if value is _MISSING or not self.is_object(value, key, _Scope()):
            return None
        scope = _Scope(prefix=f"{key}.")
        for name in texts:
            if name == "vat_number":
                self.vat_number(value, name, scope)
            else:
                self.text(value, name, scope)
        for name in optional_texts:
            if name == "iban":
                self.iban(value, name, scope)
            else:
                self.text(value, name, scope, required=False)
        self.siret(value, "siret", scope, required=required)
        self.bounded_texts(value, scope)
        return dict(value)

    def contract(self, root: dict) -> Contract | None:
        market = self.get(root, "market", _Scope())
        if market is _MISSING or not self.is_object(market, "market", _Scope()):
            return None
        scope = _Scope(prefix="market.")
        self.unknown_keys(market, MARKET_KEYS, scope)
        number = self.text(market, "number", scope)
        engagement = self.text(market, "engagement", scope, required=False)
        title = self.text(market, "title", scope)
        framework = self.text(market, "framework", scope)
        start_date = self.date(market, "start_date", scope)
        duration = self.get(market, "duration_months", scope)
        if duration is not _MISSING and (isinstance(duration, bool) or not isinstance(duration, int)):
            self.add("not_an_integer", scope, "duration_months", got=_describe(duration))
        lines = [self.line(value, position) for position, value in enumerate(self.items(market, "lines", scope))]
        retention_rate = self.decimal(market, "retention_rate", scope, required=False)
        return Contract(
            lines=tuple(lines),
            revision=self.revision(market),
            advance=self.advance(market),
            retention_rate=Decimal(0) if retention_rate is None else retention_rate,
            number=number,
            engagement=engagement,
            title=title,
            framework=framework,
            start_date=start_date,
            duration_months=None if duration is _MISSING else duration,
            amendments=tuple(self.amendment(value, position)
                             for position, value in enumerate(self.items(market, "amendments", scope, required=False))),
        )

    def amendment(self, value, position: int) -> Amendment | None:
        path = f"market.amendments[{position}]"
        if not self.is_object(value, path, _Scope()):
            return None
        scope = _Scope(prefix=f"{path}.")
        self.unknown_keys(value, AMENDMENT_KEYS, scope)
        date = self.date(value, "date", scope) if "date" in value else None
        lines = [self.line(line, index, prefix=f"{path}.lines")
                 for index, line in enumerate(self.items(value, "lines", scope, required=False))]
        changes = []
        for index, change in enumerate(self.items(value, "changes", scope, required=False)):
            if not self.is_object(change, f"{path}.changes[{index}]", _Scope()):
                continue
            change_scope = _Scope(prefix=f"{path}.changes[{index}].")
            self.unknown_keys(change, CHANGE_KEYS, change_scope)
            changes.append(LineChange(ref=self.text(change, "ref", change_scope),
                                      unit_price=self.decimal(change, "unit_price", change_scope, required=False),
                                      quantity=self.decimal(change, "quantity", change_scope, required=False)))
        self.bounded_texts(value, scope)
        return Amendment(number=self.text(value, "number", scope), period=self.text(value, "period", scope),
                         date=date, object=self.text(value, "object", scope, required=False) or "",
                         lines=tuple(lines), changes=tuple(changes))

    def line(self, value, position: int, prefix: str = "market.lines") -> ContractLine | None:
        scope = _Scope(prefix=f"{prefix}[{position}].")
        if not self.is_object(value, f"{prefix}[{position}]", _Scope()):
            return None
        ref = self.text(value, "ref", scope)
        if ref is not None:
            scope = _Scope(line=ref)
        self.unknown_keys(value, LINE_KEYS, scope)
        kind = self.text(value, "kind", scope)
        if kind is not None and kind not in set(LineKind):
            self.add("unknown_kind", scope, "kind", value=kind)
        return ContractLine(
            ref=ref,
            label=self.text(value, "label", scope),
            kind=LineKind(kind) if kind in set(LineKind) else kind,
            unit=self.text(value, "unit", scope),
            unit_price=self.decimal(value, "unit_price", scope),
            quantity=self.decimal(value, "quantity", scope),
            vat_rate=self.decimal(value, "vat_rate", scope),
            extra_work=self.flag(value, "extra_work", scope),
        )

    def flag(self, container: dict, key: str, scope: _Scope) -> bool:
        value = container.get(key, False)
        if not isinstance(value, bool):
            self.add("not_a_boolean", scope, key, got=_describe(value))
            return False
        return value

    def revision(self, market: dict) -> Revision | None:
        value = self.get(market, "revision", _Scope(), required=False)
        if value is _MISSING or not self.is_object(value, "market.revision", _Scope()):
            return None
        scope = _Scope(prefix="market.revision.")
        self.unknown_keys(value, REVISION_KEYS, scope)
        return Revision(
            fixed=self.decimal(value, "fixed", scope),
            variable=self.decimal(value, "variable", scope),
            base_index=self.decimal(value, "base_index", scope),
        )

    def advance(self, market: dict) -> Advance | None:
        value = self.get(market, "advance", _Scope(), required=False)
        if value is _MISSING or not self.is_object(value, "market.advance", _Scope()):
            return None
        scope = _Scope(prefix="market.advance.")
        self.unknown_keys(value, ADVANCE_KEYS, scope)
        defaults = Advance(rate=Decimal(0))
        start = self.decimal(value, "start", scope, required=False)
        end = self.decimal(value, "end", scope, required=False)
        return Advance(
            rate=self.decimal(value, "rate", scope),
            start=defaults.start if start is None else start,
            end=defaults.end if end is None else end,
        )

    def situations(self, root: dict) -> list[SituationInput]:
        values = self.items(root, "situations", _Scope())
        return [self.situation(value, position) for position, value in enumerate(values)]

    def situation(self, value, position: int) -> SituationInput | None:
        if not self.is_object(value, f"situations[{position}]", _Scope()):
            return None
        number = value.get("number")
        name = number if isinstance(number, str) and number.strip() else f"n° {position + 1}"
        scope = _Scope(situation=name)
        self.unknown_keys(value, SITUATION_KEYS, scope)
        progress = {}
        raw_progress = self.get(value, "progress", scope)
        if raw_progress is not _MISSING and self.is_object(raw_progress, "progress", scope):
            for ref, amount in raw_progress.items():
                progress[ref] = self.decimal_value(amount, "progress", _Scope(situation=name, line=ref))
        penalties = self.items(value, "penalties", scope, required=False)
        advance_paid = self.decimal(value, "advance_paid", scope, required=False)
        return SituationInput(
            number=self.text(value, "number", scope),
            period=self.text(value, "period", scope),
            progress=progress,
            date=self.date(value, "date", scope),
            index=self.decimal(value, "index", scope, required=False),
            penalties=tuple(self.penalty(penalty, name, rank) for rank, penalty in enumerate(penalties)),
            advance_paid=Decimal(0) if advance_paid is None else advance_paid,
            final=self.flag(value, "final", scope),
        )

    def penalty(self, value, situation: str, position: int) -> Penalty | None:
        if not self.is_object(value, f"penalties[{position}]", _Scope(situation=situation)):
            return None
        scope = _Scope(prefix=f"penalties[{position}].", situation=situation)
        self.unknown_keys(value, PENALTY_KEYS, scope)
        return Penalty(label=self.text(value, "label", scope), amount=self.decimal(value, "amount", scope))
