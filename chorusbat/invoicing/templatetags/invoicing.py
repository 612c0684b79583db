"""``{% situation_document_state situation as state %}``: the Factur-X block of the situation page."""

from django import template

from chorusbat.invoicing.attachments import MAX_ATTACHMENTS, frozen_reason
from chorusbat.invoicing.pages import document_state
from chorusbat.invoicing.views import AttachmentForm

register = template.Library()


@register.simple_tag
def situation_document_state(situation):
    """A :class:`~chorusbat.invoicing.pages.DocumentState` (never builds a document)."""
    return document_state(situation)


@register.simple_tag
def situation_attachments(situation):
    """The situation's attachments, whether they may still change (and why not), and the upload form."""

    attachments = list(situation.attachments.defer("data").order_by("pk"))
    frozen = frozen_reason(situation)
    return {"list": attachments, "frozen": frozen, "form": AttachmentForm(),
            "full": len(attachments) >= MAX_ATTACHMENTS, "works": situation.market.framework in ("A4", "A10", "A13")}
