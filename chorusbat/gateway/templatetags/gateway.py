"""``{% transmission_panel situation %}``: the situation's journey to Chorus Pro, and what to do about it.

The tag renders what the view loaded and never queries: the view fetches the situation with
``select_related("market", "transmission")`` and ``prefetch_related("transmission__events")``
(:func:`chorusbat.situations.views.situation_detail`). The two answer forms are unbound and built only when shown.
"""

from django import template
from django.core.exceptions import ObjectDoesNotExist

from chorusbat.gateway.forms import CompleteForm, RecycleForm

register = template.Library()


@register.inclusion_tag("gateway/situation_transmission.html", takes_context=True)
def transmission_panel(context, situation):
    try:
        t = situation.transmission
    except ObjectDoesNotExist:
        t = None
    membership = getattr(context.get("request"), "membership", None)
    market = situation.market
    return {
        "situation": situation,
        "t": t,
        "events": list(t.events.all()) if t else [],
        "is_admin": bool(membership and membership.is_admin),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "complete_form": CompleteForm() if t and t.can_complete else None,
        "recycle_form": RecycleForm(initial={"buyer_siret": market.buyer_siret,
                                             "service_code": market.buyer_service_code,
                                             "engagement": market.engagement}) if t and t.can_recycle else None,
    }
