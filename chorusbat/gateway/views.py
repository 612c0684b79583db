"""Screens of the gateway: dashboard, batch sending with progress, and the actions on one invoice."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chorusbat.accounts.models import ChorusSubscription
from chorusbat.accounts.permissions import admin_required, member_required
from chorusbat.gateway import actions, dashboard
from chorusbat.gateway.forms import CompleteForm, RecycleForm
from chorusbat.gateway.machine import situations_ready_to_send
from chorusbat.gateway.models import Transmission
from chorusbat.gateway.services import send
from chorusbat.situations.models import Situation, Status
from chorusbat.situations.services import SituationError


@member_required
def dashboard_view(request):
    company = request.membership.company
    return render(request, "gateway/dashboard.html", dashboard.build(company))


@admin_required
def batch(request):
    """Choose validated situations and send them in one action."""
    company = request.membership.company
    if request.method == "POST":
        ids = _ids(request.POST.getlist("situation"))
        situations = list(Situation.objects.filter(company=company, pk__in=ids, status=Status.VALIDATED)
                          .select_related("market").order_by("market_id", "period"))
        if not situations:
            messages.error(request, _("Select at least one validated situation."))
            return redirect("gateway:batch")
        if request.POST.get("confirm") != "yes":
            return _confirm_send(request, situations, reverse("gateway:batch"), reverse("gateway:batch"))
        transmissions = send(situations, request.user)
        return redirect(f"{request.path}suivi/?" + "&".join(f"t={t.pk}" for t in transmissions))
    ready = situations_ready_to_send(company)
    return render(request, "gateway/batch.html", {"ready": ready})


@member_required
def batch_progress(request):
    """Progress of a batch: refreshes itself (no JavaScript needed) until every situation has settled."""
    company = request.membership.company
    ids = _ids(request.GET.getlist("t"))[:500]
    rows = list(Transmission.objects.filter(company=company, pk__in=ids).select_related("situation__market"))
    settled = [t for t in rows if t.state in (Transmission.State.INTEGRATED, Transmission.State.HELD,
                                              Transmission.State.FAILED)]
    done = len(settled) == len(rows)
    stopped = [t for t in settled if t.state != Transmission.State.INTEGRATED]  # held or refused: not sent
    percent = int(100 * len(settled) / len(rows)) if rows else 100
    return render(request, "gateway/batch_progress.html",
                  {"rows": rows, "settled": len(settled), "total": len(rows), "percent": percent, "done": done,
                   "stopped": len(stopped)})


def _transmission(request, pk) -> Transmission:
    return get_object_or_404(Transmission.objects.select_related("situation__market"), pk=pk,
                             company=request.membership.company)


@admin_required
@require_POST
def send_one(request, situation_pk):
    situation = get_object_or_404(Situation.objects.select_related("market"), pk=situation_pk,
                                  company=request.membership.company)
    if situation.status != Status.VALIDATED:
        messages.error(request, _("Only a validated situation can be sent."))
    elif request.POST.get("confirm") == "no":
        pass
    elif request.POST.get("confirm") != "yes" and not hasattr(situation, "transmission"):
        # The first sending is confirmed (a retry re-sends what was already confirmed).
        return _confirm_send(request, [situation], reverse("gateway:send_one", args=[situation.pk]),
                             _back(request, situation))
    else:
        send([situation], request.user)
        messages.success(request, _("Situation %(number)s queued for Chorus Pro.") % {"number": situation.number})
    return redirect(_back(request, situation))


def _confirm_send(request, situations, action: str, cancel: str):
    """What is about to leave for Chorus Pro: how many invoices, the total net to pay, to whom (no JavaScript)."""
    buyers: dict[tuple[str, str], list] = {}
    for s in situations:
        buyers.setdefault((s.market.buyer_name, s.market.buyer_siret), []).append(s)
    subscription = ChorusSubscription.objects.filter(company=request.membership.company).first()
    return render(request, "gateway/send_confirm.html", {
        "situations": situations, "count": len(situations),
        "total": sum((s.net_amount or 0 for s in situations), 0),
        "buyers": [{"name": name, "siret": siret, "count": len(rows)} for (name, siret), rows in buyers.items()],
        "subscription": subscription, "action": action, "cancel": cancel,
        "next": request.POST.get("next", ""),
    })


def _action(request, pk, form, run, success: str):
    """Run one action on an invoice in Chorus Pro from a form; the outcome is a message, never an error page."""
    t = _transmission(request, pk)
    if form.is_valid():
        try:
            run(t, form)
            messages.success(request, success)
        except actions.ActionRefused as refused:
            messages.error(request, str(refused))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(_back(request, t.situation))


@admin_required
@require_POST
def complete_view(request, pk):
    def run(t, form):
        files = [(f.name, f.read()) for f in request.FILES.getlist("files")]
        actions.complete(t, form.cleaned_data["comment"], files)

    return _action(request, pk, CompleteForm(request.POST, request.FILES), run,
                   _("The invoice was completed in Chorus Pro."))


@admin_required
@require_POST
def recycle_view(request, pk):
    return _action(request, pk, RecycleForm(request.POST), lambda t, form: actions.recycle(t, **form.cleaned_data),
                   _("The invoice was recycled in Chorus Pro."))


@admin_required
@require_POST
def acknowledge_view(request, pk):
    t = _transmission(request, pk)
    try:
        actions.acknowledge_rejection(t)
        messages.success(request, _("The rejection was acknowledged in Chorus Pro."))
    except actions.ActionRefused as refused:
        messages.error(request, str(refused))
    return redirect(_back(request, t.situation))


@admin_required
@require_POST
def corrective_view(request, pk):
    """Acknowledge the rejection in Chorus Pro, then replace the situation with a corrective one (new number).

    Also the way out for an invoice whose file Chorus Pro refused (``failed``): retrying would send the same bytes
    and fail the same way, so the situation is cancelled (kept on record, number kept) and re-issued.
    """
    t = _transmission(request, pk)
    try:
        corrective = actions.replace_rejected(t, request.user)
    except actions.ActionRefused as refused:
        messages.error(request, str(refused))
        return redirect(_back(request, t.situation))
    except SituationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_back(request, t.situation))
    messages.success(request, _("Corrective situation %(number)s created to replace %(old)s.") % {
        "number": corrective.number, "old": t.situation.number})
    return redirect("situations:detail", corrective.pk)


def _ids(values) -> list[int]:
    """Database ids from user input: ASCII digits only, of a sensible length (anything else is ignored)."""
    return [int(v) for v in values if re.fullmatch(r"[0-9]{1,12}", v)]


def _back(request, situation) -> str:
    """Where to go after an action: the page it was made from when it is one of ours, else the situation."""
    nxt = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return nxt
    return reverse("situations:detail", args=[situation.pk])


@member_required
def transmissions_list(request):
    company = request.membership.company
    qs = Transmission.objects.filter(company=company).select_related("situation__market").order_by("-updated_at")
    state = request.GET.get("etat", "")
    if state in Transmission.State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "gateway/list.html", {"page": page, "state": state, "states": Transmission.State.choices})
