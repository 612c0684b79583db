"""Situation files for the tests, computed by the real engine, and a hypothesis strategy generating them."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import strategies as st

from chorusbat.engine import compute_situation_file
from chorusbat.facturx import InvoiceData, invoice_data_from_situation_file
from conftest import EXAMPLES_DIR

EXAMPLE = EXAMPLES_DIR / "situation-file.example.json"
FRENCH_RATES = ("20", "10", "5.5", "2.1", "0")


def example_file() -> dict:
    """The reference example (two situations, revision, advance, retention, a penalty)."""
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def invoices(file_data: dict) -> list[InvoiceData]:
    """The InvoiceData of every situation of ``file_data``, computed by the engine."""
    result = compute_situation_file(file_data)
    return [invoice_data_from_situation_file(file_data, result, i) for i in range(len(result["situations"]))]


def simple_file(lines: list[dict], progress: list[dict[str, str]], **market_extra) -> dict:
    """A situation file with the example's parties and ``lines``, one situation per ``progress`` mapping."""
    data = example_file()
    data["market"]["lines"] = lines
    data["market"].pop("advance", None)
    data["market"].update(market_extra)
    data["situations"] = [
        {"number": f"F2026-{n + 1:04d}", "period": f"2026-{n + 1:02d}", "date": f"2026-{n + 1:02d}-28",
         "index": "119.0", "progress": dict(p)}
        for n, p in enumerate(progress)
    ]
    return data


def line(ref: str, label: str = "Travaux", rate: str = "20", kind: str = "unitaire", price: str = "10.00",
         quantity: str = "100") -> dict:
    return {"ref": ref, "label": label, "kind": kind, "unit": "m2" if kind == "unitaire" else "ens",
            "unit_price": price, "quantity": quantity, "vat_rate": rate}


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("25000"), places=2)
labels = st.text(min_size=1, max_size=60).filter(str.strip)


@st.composite
def situation_files(draw, max_lines: int = 10) -> dict:
    """A valid situation file: 1–``max_lines`` lines, 1–4 French VAT rates, 1–2 situations (the second may
    correct quantities downwards, giving negative periods and possibly a credit note)."""
    rates = draw(st.lists(st.sampled_from(FRENCH_RATES), min_size=1, max_size=4, unique=True))
    count = draw(st.integers(min_value=1, max_value=max_lines))
    lines = []
    for i in range(count):
        kind = draw(st.sampled_from(("forfait", "unitaire")))
        lines.append(line(
            ref=f"{i + 1}.{draw(st.integers(1, 9))}",
            label=draw(labels),
            rate=rates[i % len(rates)],
            kind=kind,
            price=str(draw(money)),
            quantity="1" if kind == "forfait" else str(draw(st.integers(1, 500))),
        ))
    first, second = {}, {}
    for item in lines:
        top = Decimal(100) if item["kind"] == "forfait" else Decimal(item["quantity"])
        first[item["ref"]] = str(draw(st.integers(0, int(top))))
        second[item["ref"]] = str(draw(st.integers(0, int(top))))
    progress = [first] + ([second] if draw(st.booleans()) else [])
    extra = {"retention_rate": draw(st.sampled_from(("0", "0.03", "0.05")))}
    data = simple_file(lines, progress, **extra)
    if draw(st.booleans()):
        data["market"].pop("revision")
        for situation in data["situations"]:
            situation.pop("index")
    if draw(st.booleans()):
        data["situations"][0]["penalties"] = [{"label": draw(labels) or "Retard", "amount": str(draw(money))}]
    return data
