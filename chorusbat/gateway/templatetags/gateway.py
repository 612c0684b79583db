"""``{% transmission_panel situation %}``: the situation's journey to Chorus Pro, and what to do about it."""

from django import template

from chorusbat.gateway.forms import CompleteForm, RecycleForm
from chorusbat.gateway.models import Transmission

register = template.Library()


@register.inclusion_tag("gateway/situation_transmission.html", takes_context=True)
def transmission_panel(context, situation):
    t = (Transmission.objects.filter(situation=situation).prefetch_related("events", "status_changes").first())
    membership = getattr(context.get("request"), "membership", None)
    market = situation.market
    return {
        "situation": situation,
        "t": t,
        "events": list(t.events.all()) if t else [],
        "is_admin": bool(membership and membership.is_admin),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "complete_form": CompleteForm(),
        "recycle_form": RecycleForm(initial={"buyer_siret": market.buyer_siret,
                                             "service_code": market.buyer_service_code,
                                             "engagement": market.engagement}),
    }
