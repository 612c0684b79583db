"""Build :class:`InvoiceData` from a situation file and the engine's output for it (``situation-rules.md`` §4).

The situation file gives parties, market and progress; the engine's JSON output (all decimals as strings)
gives the computed amounts. Optional keys the §4 format does not list but an invoice needs are read when
present: ``supplier.bic``, ``supplier.address`` / ``buyer.address`` / ``moe.address`` (``line1``,
``line2``, ``postcode``, ``city``, ``country_code``), ``buyer.vat_number``, ``market.payment_delay_days``
(default 30, the public buyers' legal period) and ``market.reverse_charge`` (default false). The engine's
file reader currently refuses unknown ``market`` keys, so through ``chorusbat situation render`` these two keep
their defaults; the Django app builds :class:`InvoiceData` from its own models. The contract lines are the
engine's, as in force for the situation's month (amendments applied: :func:`chorusbat.engine.amendments.lines_at`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from chorusbat.engine.amendments import lines_at
from chorusbat.engine.model import Contract
from chorusbat.engine.situation_file import parse_situation_file
from chorusbat.facturx.french_messages import message
from chorusbat.facturx.invoice_model import (
    Address,
    FinalRecap,
    InvoiceData,
    InvoiceDataError,
    Party,
    Penalty,
    RateBreakdown,
    SituationLine,
)
from chorusbat.figures import TOTALS


def _decimal(value: Any, field: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise InvoiceDataError(message("situation_file_field", field=field, detail=repr(value))) from None
    if not result.is_finite():
        raise InvoiceDataError(message("situation_file_field", field=field, detail=repr(value)))
    return result


def _date(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvoiceDataError(message("situation_file_field", field=field, detail=repr(value))) from None


def _required(mapping: dict, key: str, field: str) -> Any:
    if not isinstance(mapping, dict) or mapping.get(key) in (None, ""):
        raise InvoiceDataError(message("situation_file_field", field=field, detail="absent"))
    return mapping[key]


def _address(raw: Any) -> Address:
    raw = raw if isinstance(raw, dict) else {}
    return Address(
        line1=str(raw.get("line1", "")),
        line2=str(raw.get("line2", "")),
        postcode=str(raw.get("postcode", "")),
        city=str(raw.get("city", "")),
        country_code=str(raw.get("country_code", "FR")) or "FR",
    )


def _party(raw: Any, role: str) -> Party:
    return Party(
        name=str(_required(raw, "name", f"{role}.name")),
        siret=str(_required(raw, "siret", f"{role}.siret")),
        vat_number=str(raw.get("vat_number", "")),
        address=_address(raw.get("address")),
    )


def _lines(contract: Contract, situation: dict, computed: dict) -> tuple[SituationLine, ...]:
    # The lines in force for the situation's month, amendments applied, as the engine computed them (one rule).
    in_force = {line.ref: line for line in lines_at(contract, str(situation.get("period", "")))}
    progress = situation.get("progress", {})
    result = []
    for computed_line in computed["lines"]:
        ref = computed_line["ref"]
        line = in_force.get(ref)
        if line is None:
            raise InvoiceDataError(message("situation_file_field", field=f"market.lines[{ref}]", detail="absent"))
        result.append(
            SituationLine(
                ref=str(ref),
                label=line.label,
                kind=str(line.kind),
                unit=line.unit,
                unit_price=line.unit_price,
                contract_quantity=line.quantity,
                contract_amount=(line.unit_price * line.quantity).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP"),
                vat_rate=line.vat_rate,
                progress=_decimal(progress.get(ref, "0"), f"{ref}.progress"),
                cumulative=_decimal(computed_line["cumulative"], f"{ref}.cumulative"),
                previous=_decimal(computed_line["previous"], f"{ref}.previous"),
                period=_decimal(computed_line["period"], f"{ref}.period"),
            )
        )
    return tuple(result)


def _final_recap(result_json: dict, index: int) -> FinalRecap:
    """The market recalled by the projet de décompte final ``index``, from the engine's output (§6)."""
    chain = (result_json.get("situations") or [])[: index + 1]

    def total(*names: str) -> Decimal:
        return sum((_decimal(s[name], name) for s in chain for name in names), Decimal("0.00"))

    initial_ht = _decimal(result_json["contract_ht"], "contract_ht")
    initial_ttc = _decimal(result_json["contract_ttc"], "contract_ttc")
    current_ht = _decimal(result_json.get("current_ht", result_json["contract_ht"]), "current_ht")
    current_ttc = _decimal(result_json.get("current_ttc", result_json["contract_ttc"]), "current_ttc")
    return FinalRecap(
        initial_ht=initial_ht, initial_ttc=initial_ttc, amendments_ht=current_ht - initial_ht,
        amendments_ttc=current_ttc - initial_ttc, current_ht=current_ht, current_ttc=current_ttc,
        acomptes_ht=total("a", "d"), acomptes_ttc=total("ttc"),
        advance_amount=_decimal(result_json["advance_amount"], "advance_amount"),
        advance_paid=total("e"), advance_recovered=total("f"), retention_held=total("g"), situations=len(chain),
    )


def invoice_data_from_situation_file(file_data: dict, result_json: dict, index: int,
                                     contract: Contract | None = None) -> InvoiceData:
    """Return the :class:`InvoiceData` of situation ``index`` (0-based) of a situation file.

    ``result_json`` is the engine's §4 output for ``file_data``; ``contract`` the engine's parse of it, when the
    caller has it (the command line parses the file once), else parsed here. The original invoice of a credit note is
    the previous situation of the file. Raises :class:`InvoiceDataError` (French message) on missing data.
    """
    situations = file_data.get("situations") or []
    computed_all = result_json.get("situations") or []
    if not 0 <= index < min(len(situations), len(computed_all)):
        raise InvoiceDataError(message("situation_index", index=index))
    situation, computed = situations[index], computed_all[index]
    market = file_data.get("market") or {}
    supplier_raw = file_data.get("supplier") or {}
    buyer_raw = file_data.get("buyer") or {}
    moe_raw = file_data.get("moe")
    previous = situations[index - 1] if index > 0 else None

    money = {name: _decimal(computed[name], name) for name in TOTALS}
    final = computed.get("final") is True
    return InvoiceData(
        final=final,
        final_recap=_final_recap(result_json, index) if final else None,
        supplier=_party(supplier_raw, "supplier"),
        buyer=_party(buyer_raw, "buyer"),
        moe=_party(moe_raw, "moe") if isinstance(moe_raw, dict) and moe_raw.get("siret") else None,
        market_number=str(_required(market, "number", "market.number")),
        market_title=str(market.get("title", "")),
        framework=str(market.get("framework", "A1")),
        engagement=str(market.get("engagement", "")),
        service_code=str(buyer_raw.get("service_code", "")),
        payment_delay_days=int(market.get("payment_delay_days", 30)),
        reverse_charge=bool(market.get("reverse_charge", False)),
        retention_rate=_decimal(market.get("retention_rate", "0"), "market.retention_rate"),
        invoice_number=str(_required(situation, "number", "situations.number")),
        issue_date=_date(_required(situation, "date", "situations.date"), "situations.date"),
        period=str(situation.get("period", "")),
        coefficient=_decimal(computed.get("coefficient", "1"), "coefficient"),
        lines=_lines(contract or parse_situation_file(file_data)[0], situation, computed),
        by_rate=tuple(
            RateBreakdown(
                rate=_decimal(rate["rate"], "by_rate.rate"),
                cumulative_ht=_decimal(rate["cumulative_ht"], "by_rate.cumulative_ht"),
                a=_decimal(rate["a"], "by_rate.a"),
                d=_decimal(rate["d"], "by_rate.d"),
                b=_decimal(rate["b"], "by_rate.b"),
            )
            for rate in computed["by_rate"]
        ),
        penalties=tuple(
            Penalty(label=str(p.get("label", "")), amount=_decimal(p.get("amount"), "penalties.amount"))
            for p in situation.get("penalties") or []
        ),
        iban=str(supplier_raw.get("iban", "")),
        bic=str(supplier_raw.get("bic", "")),
        original_invoice_number=str(previous["number"]) if previous else "",
        original_invoice_date=_date(previous["date"], "situations.date") if previous else None,
        **money,
    )

