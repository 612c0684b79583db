from django import template
from django.utils.html import format_html

from chorusbat.web.one_time import FIELD, new_token, token_of

register = template.Library()


@register.simple_tag(takes_context=True)
def form_token(context):
    """The hidden one-time token of a creating form (the posted one again when the form is shown with errors)."""
    request = context.get("request")
    token = (token_of(request) if request is not None else "") or new_token()
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, token)
