"""``{% situation_document_state situation as state %}``: the Factur-X block of the situation page."""

from django import template

from chorusbat.invoicing.pages import document_state

register = template.Library()


@register.simple_tag
def situation_document_state(situation):
    """A :class:`~chorusbat.invoicing.pages.DocumentState` (never builds a document)."""
    return document_state(situation)
