"""Services: a hand-checked chain (firm prices, 5.5 % and 10 % lines, downward correction), freezing rules."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from chorusbat.situations.demo import HOUSING_MARKET, create_market
from chorusbat.situations.services import SituationData, SituationError, decompte, save_draft, validate_situation

pytestmark = pytest.mark.django_db


def entry(market, number, month, progress):
    ids = {line.ref: line.pk for line in market.lines.all()}
    return SituationData(number=number, period=datetime.date(2026, month, 1), date=datetime.date(2026, month, 28),
                         index_value=None, advance_paid=D("0"),
                         progress={ids[ref]: value for ref, value in progress.items()})


def test_hand_checked_chain_with_a_downward_correction(company, admin_user):
    # Contract: 10 % 3 200 + 35 520 = 38 720; 5.5 % 12 350; 20 % 6 400 → HT 57 470,
    # T = 42 592.00 + 13 029.25 + 7 680.00 = 63 301.25; advance 5 % → A = 3 165.06 (recovered from 65 %).
    market = create_market(company, admin_user, {**HOUSING_MARKET, "situations": []})
    assert (market.contract_ht, market.contract_ttc) == (D("57470.00"), D("63301.25"))

    first = save_draft(market, entry(market, "F-1", 10, {"8.1": D("50"), "8.2": D("600")}), admin_user)
    validate_situation(first, admin_user)
    first.refresh_from_db()
    # a = 1 600 + 8 880 = 10 480 (10 %), b = 1 048, ttc = 11 528, g = 5 % = 576.40, f = 0 (below 65 %).
    assert (first.a_amount, first.d_amount, first.b_amount, first.ttc_amount) == (
        D("10480.00"), D("0.00"), D("1048.00"), D("11528.00"))
    assert (first.f_amount, first.g_amount, first.net_amount, first.coefficient) == (
        D("0.00"), D("576.40"), D("10951.60"), D("1.000"))

    # Quantity of 8.2 corrected downwards (600 → 500 m²) while 8.3 starts (100 m² at 5.5 %).
    second = save_draft(market, entry(market, "F-2", 11, {"8.1": D("50"), "8.2": D("500"), "8.3": D("100")}),
                        admin_user)
    shown = decompte(second)
    assert [(r.line.ref, r.period) for r in shown.lines] == [
        ("8.1", D("0.00")), ("8.2", D("-1480.00")), ("8.3", D("3250.00")), ("8.4", D("0.00"))]
    assert [(r.rate, r.a, r.b) for r in shown.by_rate] == [
        (D("5.5"), D("3250.00"), D("178.75")), (D("10"), D("-1480.00"), D("-148.00")), (D("20"), D("0.00"), D("0.00"))]
    # ttc = 1 770 + 30.75 = 1 800.75; g = 90.04 (90.0375 half-up); net = 1 710.71.
    assert {k: shown.totals[k] for k in ("a", "b", "ttc", "g", "net", "cumulative_ttc_initial")} == {
        "a": D("1770.00"), "b": D("30.75"), "ttc": D("1800.75"), "g": D("90.04"), "net": D("1710.71"),
        "cumulative_ttc_initial": D("13328.75")}


def test_validation_order_and_freezing(company, admin_user):
    market = create_market(company, admin_user, {**HOUSING_MARKET, "situations": []})
    first = save_draft(market, entry(market, "F-1", 10, {"8.1": D("50")}), admin_user)
    second = save_draft(market, entry(market, "F-2", 11, {"8.1": D("60")}), admin_user)
    with pytest.raises(SituationError, match="Validez d'abord les situations précédentes"):
        validate_situation(second, admin_user)
    validate_situation(first, admin_user)
    with pytest.raises(SituationError, match="déjà validée"):
        validate_situation(first, admin_user)
    with pytest.raises(SituationError, match="ne peut plus être modifiée"):
        save_draft(market, entry(market, "F-1", 10, {"8.1": D("99")}), admin_user, situation=first)
    assert decompte(first).frozen and decompte(first).totals["a"] == D("1600.00")


def test_a_draft_that_the_engine_refuses_shows_the_reasons(company, admin_user):
    market = create_market(company, admin_user, {**HOUSING_MARKET, "situations": []})
    draft = save_draft(market, entry(market, "F-1", 10, {"8.1": D("50")}), admin_user)
    # The market becomes revised after the draft was saved: its index is now missing.
    market.revision_fixed, market.revision_variable, market.revision_base_index = D("0.15"), D("0.85"), D("130")
    market.save()
    shown = decompte(draft)
    assert shown.errors == ["Situation F-1, indice : l'indice est obligatoire car les prix du marché sont "
                            "révisables."]
    with pytest.raises(SituationError):
        validate_situation(draft, admin_user)
