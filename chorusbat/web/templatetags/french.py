"""``{% load french %}``: French display filters (see :mod:`chorusbat.web.french_format`)."""

from django import template

from chorusbat.web import french_format

register = template.Library()

register.filter("month_year", french_format.month_year)
register.filter("short_month", french_format.short_month)
register.filter("day_month_year", french_format.day_month_year)
register.filter("siret", french_format.siret)
register.filter("iban", french_format.iban)
register.filter("unit", french_format.unit)


@register.filter
def quantity(value, unit_code=None):
    return french_format.quantity(value, unit_code)


@register.filter
def field_of(form, name):
    """``form|field_of:"extra_12"``: the bound field of that name (for fields made per line)."""
    return form[name]


@register.inclusion_tag("web/chorus_text.html")
def chorus_text(text):
    """A message from Chorus Pro as it came, followed by a French explanation when it is in English."""
    return {"text": text, "explanation": french_format.explain_english(text)}
