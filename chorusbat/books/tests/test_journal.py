"""The sales journal, pure: balance of every entry, the accounting scheme, FEC and CSV layouts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chorusbat import engine
from chorusbat.books.journal import (
    FEC_COLUMNS,
    Accounts,
    Invoice,
    JournalError,
    JournalItem,
    RateFigures,
    build_journal,
    write_csv,
    write_fec,
)

D = Decimal


def invoice(**fields) -> Invoice:
    base = dict(
        number="F2026-0107", date=datetime.date(2026, 3, 31), buyer_name="VILLE DE NANTES",
        buyer_siret="21440109300015", market_number="2026-BAT-014",
        rates=(RateFigures(D("20"), D("10000.00"), D("2000.00")), RateFigures(D("10"), D("1000.00"), D("100.00"))),
        penalties=D("150.00"), advance_paid=D("0.00"), advance_recovered=D("600.00"), retention=D("655.00"),
        due_date=datetime.date(2026, 4, 30),
    )
    return Invoice(**{**base, **fields})


def by_account(entry):
    return {(line.account, line.label.rsplit(" - ", 1)[-1] if " - " in line.label else ""): (line.debit, line.credit)
            for line in entry.lines}


def test_the_scheme_of_one_invoice():
    inv = invoice()
    [entry] = build_journal([JournalItem(inv)])
    lines = {(line.account, line.credit > 0, line.label.split(" - ")[-1]): line for line in entry.lines}
    # 13100 TTC − 150 penalties − 600 advance recovered − 655 retention = 11695 to be paid by the buyer
    assert lines[("411000", False, "Facture F2026-0107 VILLE DE NANTES")].debit == D("11695.00")
    assert lines[("411700", False, "retenue de garantie")].debit == D("655.00")
    assert lines[("671100", False, "pénalités")].debit == D("150.00")
    assert lines[("419100", False, "remboursement d'avance")].debit == D("600.00")
    assert lines[("706000", True, "HT TVA 20 %")].credit == D("10000.00")
    assert lines[("706000", True, "HT TVA 10 %")].credit == D("1000.00")
    assert lines[("445710", True, "TVA 20 %")].credit == D("2000.00")
    assert lines[("445710", True, "TVA 10 %")].credit == D("100.00")
    assert len(entry.lines) == 8  # e = 0 gives no line
    assert entry.debit == entry.credit == D("13100.00")
    assert entry.lines[0].aux_number == "21440109300015" and entry.lines[0].aux_label == "VILLE DE NANTES"
    assert entry.number == "VT000001"


def test_advance_paid_is_credited_to_the_advance_account():
    [entry] = build_journal([JournalItem(invoice(advance_paid=D("5000.00"), advance_recovered=D("0.00")))])
    advance = [line for line in entry.lines if line.account == "419100"]
    assert [(line.debit, line.credit) for line in advance] == [(D("0.00"), D("5000.00"))]
    assert entry.debit == entry.credit == D("18100.00")


def test_negative_amounts_change_sides_and_reversal_mirrors():
    inv = invoice(rates=(RateFigures(D("20"), D("-100.00"), D("-20.00")),), penalties=D("0.00"),
                  advance_recovered=D("0.00"), retention=D("-3.60"))
    [entry, cancel] = build_journal([JournalItem(inv),
                                     JournalItem(inv, reversal=True, on=datetime.date(2026, 4, 10))])
    assert all(line.debit >= 0 and line.credit >= 0 for line in entry.lines + cancel.lines)
    sales = next(line for line in entry.lines if line.account == "706000")
    assert (sales.debit, sales.credit) == (D("100.00"), D("0.00"))
    customer = next(line for line in entry.lines if line.account == "411000")
    assert (customer.debit, customer.credit) == (D("0.00"), D("116.40"))
    assert [(line.credit, line.debit) for line in cancel.lines] == [(line.debit, line.credit) for line in entry.lines]
    assert cancel.date == datetime.date(2026, 4, 10) and cancel.piece_ref == inv.number
    assert cancel.lines[0].label.startswith("Annulation facture F2026-0107")


def test_amounts_must_be_cents_and_net_must_match():
    with pytest.raises(JournalError, match="au centime"):
        build_journal([JournalItem(invoice(penalties=D("1.005")))])
    with pytest.raises(JournalError, match="net à payer"):
        build_journal([JournalItem(invoice(net=D("10000.00")))])
    build_journal([JournalItem(invoice(net=D("11695.00")))])


def test_fec_layout():
    entries = build_journal([JournalItem(invoice(number="F2", date=datetime.date(2026, 4, 30))),
                             JournalItem(invoice(number="F1"))], Accounts(customer="41100000"))
    text = write_fec(entries, Accounts(customer="41100000"))
    rows = [line.split("\t") for line in text.split("\r\n") if line]
    assert rows[0] == list(FEC_COLUMNS)
    assert all(len(row) == 18 for row in rows)
    first = rows[1]
    assert first[:6] == ["VT", "Journal des ventes", "VT000001", "20260331", "41100000", "Clients"]
    assert first[8:13] == ["F1", "20260331", "Facture F1 VILLE DE NANTES", "11695,00", "0,00"]
    assert first[15] == "20260331" and first[16:] == ["", ""]
    assert {row[2] for row in rows[1:] if row[8] == "F2"} == {"VT000002"}
    for number in ("VT000001", "VT000002"):
        lines = [row for row in rows[1:] if row[2] == number]
        debit = sum(D(row[11].replace(",", ".")) for row in lines)
        credit = sum(D(row[12].replace(",", ".")) for row in lines)
        assert debit == credit


def test_csv_layout():
    text = write_csv(build_journal([JournalItem(invoice())]))
    header, first = text.split("\r\n")[:2]
    assert header.split(";")[:5] == ["Journal", "Date", "N° écriture", "N° pièce", "Compte"]
    assert first.split(";")[:5] == ["VT", "31/03/2026", "VT000001", "F2026-0107", "411000"]
    assert "11695,00" in first and "30/04/2026" in first


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50000"), places=2)
quantity = st.decimals(min_value=Decimal("0"), max_value=Decimal("2000"), places=2)
percent = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=1)


@st.composite
def contract_and_chain(draw):
    """A contract (1-5 lines, any VAT rate, revision, advance, retention) and 1-4 situations, progress going up
    or down, with penalties and advance payments: what the engine accepts."""
    lines = []
    for i in range(draw(st.integers(min_value=1, max_value=5))):
        kind = draw(st.sampled_from(["forfait", "unitaire"]))
        lines.append(engine.ContractLine(
            ref=f"L{i + 1}", label="x", kind=kind, unit="u", unit_price=draw(money),
            quantity=Decimal("1") if kind == "forfait" else draw(quantity),
            vat_rate=draw(st.sampled_from([D("0"), D("2.1"), D("5.5"), D("10"), D("20")])),
        ))
    revised = draw(st.booleans())
    fixed = draw(st.sampled_from([D("0.125"), D("0.15"), D("0.2")]))
    contract = engine.Contract(
        lines=tuple(lines), number="M", title="t",
        revision=engine.Revision(fixed=fixed, variable=1 - fixed, base_index=D("118.4")) if revised else None,
        advance=engine.Advance(rate=draw(st.sampled_from([D("0.05"), D("0.30"), D("0.45")])))
        if draw(st.booleans()) else None,
        retention_rate=draw(st.sampled_from([D("0"), D("0.03"), D("0.05")])),
    )
    chain = []
    for n in range(draw(st.integers(min_value=1, max_value=4))):
        chain.append(engine.SituationInput(
            number=f"F-{n}", period=f"2026-{n + 1:02d}", date=datetime.date(2026, n + 1, 28),
            progress={line.ref: draw(percent if line.kind == "forfait" else quantity) for line in lines},
            index=draw(st.decimals(min_value=D("100"), max_value=D("140"), places=2)) if revised else None,
            penalties=(engine.Penalty("p", draw(money)),) if draw(st.booleans()) else (),
            advance_paid=draw(st.sampled_from([D("0"), D("500.00")])),
        ))
    return contract, chain


def _invoices(case):
    contract, chain = case
    result = engine.compute(contract, chain)
    for s, data in zip(result.situations, chain):
        yield Invoice(
            number=s.number, date=data.date, buyer_name="ACHETEUR", buyer_siret="21440109300015",
            market_number="M", rates=tuple(RateFigures(r.rate, r.a + r.d, r.b) for r in s.by_rate),
            penalties=s.c, advance_paid=s.e, advance_recovered=s.f, retention=s.g, net=s.net,
        )


@settings(max_examples=80, deadline=None)
@given(contract_and_chain(), st.booleans())
def test_every_entry_balances_for_generated_situations(case, reverse):
    invoices = list(_invoices(case))
    items = [JournalItem(inv) for inv in invoices]
    if reverse:
        items += [JournalItem(inv, reversal=True, on=inv.date + datetime.timedelta(days=3)) for inv in invoices]
    entries = build_journal(items)
    assert len(entries) == len(items)
    for entry in entries:
        assert sum(line.debit for line in entry.lines) == sum(line.credit for line in entry.lines)
        assert all(line.debit >= 0 and line.credit >= 0 and (line.debit == 0) != (line.credit == 0)
                   for line in entry.lines)
        assert all(line.debit == line.debit.quantize(D("0.01")) for line in entry.lines)
    # and the FEC says the same, per EcritureNum
    rows = [line.split("\t") for line in write_fec(entries).split("\r\n")[1:] if line]
    sums: dict[str, list[Decimal]] = {}
    for row in rows:
        pair = sums.setdefault(row[2], [D(0), D(0)])
        pair[0] += D(row[11].replace(",", "."))
        pair[1] += D(row[12].replace(",", "."))
    assert all(debit == credit for debit, credit in sums.values())
