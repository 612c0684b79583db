"""The décompte's figures are declared once (``chorusbat.figures``): every place that holds them has each one."""

from dataclasses import fields

from chorusbat import figures
from chorusbat.engine.model import RateResult, SituationResult
from chorusbat.facturx.invoice_model import InvoiceData, RateBreakdown
from chorusbat.situations.models import RateAmount, Situation
from chorusbat.situations.services import TOTAL_FIELDS


def names(cls) -> set[str]:
    return {f.name for f in fields(cls)}


def test_the_engine_the_facturx_model_and_the_situation_hold_every_figure():
    assert set(figures.WRITTEN) <= names(SituationResult)
    assert set(figures.TOTALS) <= names(InvoiceData)
    columns = {f.name for f in Situation._meta.get_fields()}
    assert {figures.column(name) for name in figures.WRITTEN} <= columns
    assert list(TOTAL_FIELDS) == list(figures.WRITTEN)


def test_every_rate_figure_is_held_per_rate():
    for cls in (RateResult, RateBreakdown):
        assert set(figures.RATE_FIGURES) | {"cumulative_ht"} <= names(cls)
    assert set(figures.RATE_FIGURES) <= {f.name for f in RateAmount._meta.get_fields()}


def test_a_figure_is_stored_in_its_amount_column():
    assert figures.column("net") == "net_amount"
    assert figures.column("cumulative_ttc_initial") == "cumulative_ttc_initial"
