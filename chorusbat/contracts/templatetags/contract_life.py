"""``{% load contract_life %}``: what the index table says about a situation's index (In)."""

from django import template

from chorusbat.contracts.indices import index_for
from chorusbat.contracts.market_amendments import market_amounts as amounts
from chorusbat.markets.french_numbers import parse_decimal

register = template.Library()


@register.inclusion_tag("contracts/index_status.html")
def index_status(lookup, index_value=None):
    """``lookup``: an :class:`~chorusbat.contracts.indices.IndexLookup` (or None: nothing is shown)."""
    differs = (lookup is not None and not lookup.missing and index_value not in (None, "")
               and _as_decimal(index_value) != lookup.value)
    return {"lookup": lookup, "index_value": index_value, "differs": differs}


@register.simple_tag
def situation_index_lookup(situation):
    return index_for(situation.market, situation.period)


def _as_decimal(value):

    try:
        return parse_decimal(str(value))
    except ValueError:
        return None


@register.inclusion_tag("contracts/market_amounts.html")
def market_amounts(market, until=None):
    """The market's initial amount, its amendments (up to ``until``'s month) and its current amount."""

    return {"amounts": amounts(market, until)}
