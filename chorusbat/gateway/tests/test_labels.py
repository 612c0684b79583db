"""Chorus Pro statuses: one French label per ``InvoiceStatus`` member, and the questions screens ask answered once."""

import pytest
from django.utils import translation

from chorusbat.chorus.enums import InvoiceStatus
from chorusbat.gateway.labels import STATUS_LABELS, status_label
from chorusbat.gateway.models import Transmission


def test_every_chorus_pro_status_has_a_french_label():
    assert set(STATUS_LABELS) == set(InvoiceStatus)
    with translation.override("en"):
        english = {code: status_label(code) for code in InvoiceStatus}
    with translation.override("fr"):
        untranslated = [code for code in InvoiceStatus if status_label(code) == english[code]]
    assert untranslated == []


def test_labels_are_french_and_unknown_codes_are_shown_as_they_are():
    with translation.override("fr"):
        assert status_label("MISE_EN_PAIEMENT") == "Paiement effectué"
        assert status_label(InvoiceStatus.REJETEE) == "Rejetée"
        assert status_label("UN_STATUT_NOUVEAU") == "UN_STATUT_NOUVEAU"


@pytest.mark.parametrize(
    ("state", "status", "acknowledged", "expected"),
    [
        ("integrated", "MISE_EN_PAIEMENT", False, {"is_paid", "badge:ok"}),
        ("integrated", "REJETEE", False, {"is_rejected", "is_refused", "can_acknowledge", "waits", "badge:bad"}),
        ("integrated", "REJETEE", True, {"is_rejected", "is_refused", "waits", "badge:bad"}),
        ("integrated", "REFUSEE_MOE", False, {"is_refused", "badge:"}),
        ("integrated", "SUSPENDUE", False, {"can_complete", "waits", "badge:bad"}),
        ("integrated", "A_RECYCLER", False, {"can_recycle", "waits", "badge:bad"}),
        ("integrated", "MANDATEE", False, {"badge:"}),
        ("held", "", False, {"waits", "badge:bad"}),
        ("failed", "", False, {"waits", "badge:bad"}),
        ("deposited", "", False, {"badge:"}),
    ],
)
def test_the_questions_templates_ask_are_answered_by_the_transmission(state, status, acknowledged, expected):
    t = Transmission(state=state, chorus_status=status, rejection_acknowledged=acknowledged)
    answers = {name for name in ("is_paid", "is_rejected", "is_refused", "can_complete", "can_recycle",
                                 "can_acknowledge") if getattr(t, name)}
    answers |= {"waits"} if t.waits_for_company else set()
    answers.add(f"badge:{t.badge_class}")
    assert answers == expected


@pytest.mark.parametrize("status", ["REJETEE", "REFUSEE_MOE", "REFUSEE_MOA", "SUSPENDUE", "A_RECYCLER"])
def test_the_page_shows_the_buyers_reason_for_these_statuses_only(status):
    assert Transmission(state="integrated", chorus_status=status).asks_buyer_reason
    assert not Transmission(state="integrated", chorus_status="MISE_EN_PAIEMENT").asks_buyer_reason
    assert not Transmission(state="held", chorus_status="").asks_buyer_reason
