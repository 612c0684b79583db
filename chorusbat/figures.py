"""The figures of a situation's décompte, declared once (docs/situation-rules.md §3). Pure Python.

The engine computes them (``engine.SituationResult``), the situation stores them (``situations.Situation``, column
``<name>_amount``, ``RateAmount``), the Factur-X carries them (``facturx.InvoiceData``), and the JSON writers (the
situation file's output, the API) name them: all from these tuples. A test checks that each of those declares
every figure (``situations/tests/test_figures.py``). A new figure starts here.
"""

#: The décompte, in the order it is shown: a (instalment at initial prices), d (revision), b (VAT), ttc, c
#: (penalties), e (advance paid), f (advance recovered), g (retention), net (to pay).
TOTALS = ("a", "d", "b", "ttc", "c", "e", "f", "g", "net")

#: The figures of each VAT rate.
RATE_FIGURES = ("a", "d", "b")

#: The cumulative figures the chain carries from one situation to the next (shown, stored, written).
CUMULATIVES = ("advance_recovered_cumulative", "cumulative_ttc_initial")

#: Every money figure of a situation as the JSON writers list them.
WRITTEN = ("cumulative_ht", *TOTALS, *CUMULATIVES)


def column(name: str) -> str:
    """The ``Situation`` column that stores a figure: ``a`` → ``a_amount``; cumulative ones keep their name."""
    return f"{name}_amount" if name in TOTALS else name
