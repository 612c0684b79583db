"""``{% load french %}``: French display filters (see :mod:`chorusbat.web.french`)."""

from django import template

from chorusbat.web import french

register = template.Library()

register.filter("month_year", french.month_year)
register.filter("short_month", french.short_month)
register.filter("day_month_year", french.day_month_year)
register.filter("siret", french.siret)
register.filter("iban", french.iban)
register.filter("unit", french.unit)


@register.filter
def quantity(value, unit_code=None):
    return french.quantity(value, unit_code)


@register.filter
def field_of(form, name):
    """``form|field_of:"extra_12"``: the bound field of that name (for fields made per line)."""
    return form[name]


@register.inclusion_tag("web/chorus_text.html")
def chorus_text(text):
    """A message from Chorus Pro as it came, followed by a French explanation when it is in English."""
    return {"text": text, "explanation": french.explain_english(text)}
