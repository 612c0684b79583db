"""Mon compte › API et webhooks: administrators create, list and revoke API keys, and see the webhooks, their
delivery log (status, response time) and the API calls; a delivery can be sent again (same webhook-id)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods

from chorusbat.accounts.permissions import admin_required
from chorusbat.api import keys, webhooks
from chorusbat.api.models import ApiCall, ApiKey, WebhookDelivery, WebhookEndpoint


def _context(company, **extra) -> dict:
    return {
        "keys": ApiKey.objects.filter(company=company).select_related("created_by"),
        "endpoints": WebhookEndpoint.objects.filter(company=company, disabled_at__isnull=True),
        "deliveries": WebhookDelivery.objects.filter(endpoint__company=company).select_related("endpoint")[:50],
        "calls": ApiCall.objects.filter(company=company).select_related("api_key")[:50],
        **extra,
    }


@admin_required
@require_http_methods(["GET"])
def access(request):
    return render(request, "api/access.html", _context(request.membership.company))


@sensitive_variables("raw")
@admin_required
@require_http_methods(["POST"])
def key_create(request):
    company = request.membership.company
    name = request.POST.get("name", "").strip()
    if not name or len(name) > 100:
        messages.error(request, _("Give the key a name of 1 to 100 characters (for example, your ERP's name)."))
        return redirect("api_access:access")
    key, raw = keys.create_key(company, name, request.user)
    # Shown once, on this answer only (never stored, never in a redirect or a message).
    response = render(request, "api/access.html", _context(company, new_key=raw, new_key_row=key))
    response["Cache-Control"] = "no-store"
    return response


@admin_required
@require_http_methods(["POST"])
def key_revoke(request, pk: int):
    key = get_object_or_404(ApiKey, pk=pk, company=request.membership.company)
    keys.revoke(key)
    messages.success(request, _("The key %(name)s is revoked: it can no longer be used.") % {"name": key.name})
    return redirect("api_access:access")


@admin_required
@require_http_methods(["POST"])
def delivery_replay(request, pk: int):
    delivery = get_object_or_404(WebhookDelivery, pk=pk, endpoint__company=request.membership.company)
    webhooks.replay(delivery)
    messages.success(request, _("The event will be sent again (same webhook-id)."))
    return redirect("api_access:access")
