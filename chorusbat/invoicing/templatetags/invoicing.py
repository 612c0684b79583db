"""``{% situation_document_state situation as state %}``: the Factur-X block of the situation page."""

from django import template

from chorusbat.invoicing.services import document_state

register = template.Library()


@register.simple_tag
def situation_document_state(situation):
    """A :class:`~chorusbat.invoicing.services.DocumentState`; produces a validated situation's document once."""
    return document_state(situation)
