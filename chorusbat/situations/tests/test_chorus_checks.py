"""The checks of what Chorus Pro would refuse run on the invoice invoicing writes, handed over at start-up."""

from __future__ import annotations

import pytest

from chorusbat.invoicing.services import DocumentError, invoice_data_for
from chorusbat.situations import chorus_checks


def test_invoicing_hands_its_invoice_builder_over_when_the_apps_are_ready():
    assert chorus_checks._builder == {"build": invoice_data_for, "unavailable": DocumentError}


def test_without_a_builder_nothing_is_passed_as_checked(monkeypatch):
    monkeypatch.setattr(chorus_checks, "_builder", {})
    with pytest.raises(RuntimeError, match="invoice builder"):
        chorus_checks.situation_problems(object())


def test_an_invoice_that_cannot_be_written_is_a_problem_per_line(monkeypatch):
    def build(situation):
        raise DocumentError("No IBAN.\n\nNo earlier situation.")

    monkeypatch.setattr(chorus_checks, "_builder", {"build": build, "unavailable": DocumentError})
    assert chorus_checks.situation_problems(object()) == [chorus_checks.Problem("No IBAN."),
                                                          chorus_checks.Problem("No earlier situation.")]
