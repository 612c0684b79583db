"""Screens: late-payment interest per buyer with a claim PDF per late invoice; the ECB rates table."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from chorusbat.accounts.permissions import member_required
from chorusbat.contracts import interest
from chorusbat.contracts.forms import EcbRateForm
from chorusbat.contracts.models import EcbRate


@member_required
def interest_summary(request):
    company = request.membership.company
    buyers = interest.by_buyer(interest.late_invoices(company))
    return render(request, "contracts/interest_summary.html", {"buyers": buyers})


@member_required
def interest_claim(request, pk: int):
    situation = get_object_or_404(interest.paid_invoices(request.membership.company), pk=pk)
    row = interest.invoice_interest(situation)
    if row.result is None or not row.result.is_late:
        raise Http404(_("This invoice was not paid late, or the ECB rate of its half-year is missing."))
    from chorusbat.contracts.claim import render_claim

    response = HttpResponse(render_claim(row), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="interets-moratoires-{situation.number}.pdf"'
    return response


@member_required
def ecb_rates(request):
    is_admin = request.membership.is_admin
    form = None
    if is_admin:
        form = EcbRateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            row = form.save(request.user)
            messages.success(request, _("ECB rate of %(half)s saved.") % {"half": row.label})
            return redirect("contracts:ecb_rates")
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "contracts/ecb_rates.html", {
        "rates": EcbRate.objects.select_related("updated_by"), "form": form, "is_admin": is_admin,
    })
