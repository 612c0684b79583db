"""Issue 14: situations does not import contracts; contracts hands the index table's lookups to the situation form."""

from chorusbat.contracts import indices
from chorusbat.situations import forms


def test_contracts_hands_the_index_table_to_the_situation_form():
    assert forms._index_table == {"index_for": indices.index_for, "series_known": indices.series_known}
