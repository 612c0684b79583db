"""Screens: late-payment interest per buyer with a claim PDF per late invoice; the ECB rates table."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from chorusbat.accounts.permissions import member_required
from chorusbat.contracts import interest
from chorusbat.contracts.forms import EcbRateForm, IndexImportForm, IndexValueForm
from chorusbat.contracts.indices import import_series
from chorusbat.contracts.models import EcbRate, IndexValue
from chorusbat.web.french import month_year


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


@member_required
def indices(request):
    """The index table: one series' months; administrators import an INSEE file or type a value."""
    is_admin = request.membership.is_admin
    if request.method == "POST" and not is_admin:
        raise PermissionDenied
    import_form = IndexImportForm(prefix="import")
    value_form = IndexValueForm(prefix="value")
    if request.method == "POST":
        if request.POST.get("action") == "import":
            import_form = IndexImportForm(request.POST, request.FILES, prefix="import")
            if import_form.is_valid():
                series = import_form.cleaned_data["series"]
                counts = import_series(series, import_form.parsed, request.user)
                messages.success(request, _("%(series)s imported: %(created)s months added, %(updated)s updated, "
                                            "%(unchanged)s unchanged.") % {"series": series, **vars(counts)})
                return redirect(f"{reverse('contracts:indices')}?{urlencode({'serie': series})}")
        else:
            value_form = IndexValueForm(request.POST, prefix="value")
            if value_form.is_valid():
                row = value_form.save(request.user)
                messages.success(request, _("%(series)s of %(month)s saved.")
                                 % {"series": row.series, "month": month_year(row.month)})
                return redirect(f"{reverse('contracts:indices')}?{urlencode({'serie': row.series})}")
    series_names = list(IndexValue.objects.order_by("series").values_list("series", flat=True).distinct())
    selected = request.GET.get("serie", "")
    if selected not in series_names:
        selected = series_names[0] if series_names else ""
    return render(request, "contracts/indices.html", {
        "is_admin": is_admin, "import_form": import_form, "value_form": value_form, "series_names": series_names,
        "selected": selected, "values": IndexValue.objects.filter(series=selected).select_related("updated_by"),
    })
