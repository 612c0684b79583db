"""Screens: late-payment interest per buyer with a claim PDF per late invoice; the ECB rates and index tables;
amendments; the end of a market (« Fin du marché »)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chorusbat.accounts.permissions import admin_required, member_required
from chorusbat.contracts import closing, interest, market_amendments
from chorusbat.contracts.claim import render_claim
from chorusbat.contracts.forms import (
    CLOSING_FORMS,
    NEW_LINE_ROWS,
    AmendmentForm,
    EcbRateForm,
    IndexImportForm,
    IndexValueForm,
    claim_head_forms,
    split_claim_heads,
)
from chorusbat.contracts.indices import import_series
from chorusbat.contracts.memoir import render_memoir
from chorusbat.contracts.models import EcbRate, IndexValue
from chorusbat.markets.forms import ContractLineForm
from chorusbat.markets.models import Market
from chorusbat.web.french_format import month_year


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


# ------------------------------------------------------------------------------------------------ amendments


def _market(request, pk):

    return get_object_or_404(Market, pk=pk, company=request.membership.company)


@member_required
def amendment_list(request, pk):
    market = _market(request, pk)
    return render(request, "contracts/amendments.html", {
        "market": market, "amounts": market_amendments.market_amounts(market), "is_admin": request.membership.is_admin,
        "last_validated": market_amendments.last_validated_period(market),
    })


def _new_line_forms(request, market):

    taken = set(market.lines.values_list("ref", flat=True))
    data = request.POST if request.method == "POST" else None
    return [ContractLineForm(data, market=market, taken_refs=taken, prefix=f"new{i}",
                             use_required_attribute=False) for i in range(NEW_LINE_ROWS)]


def _filled(form) -> bool:
    return any((form.data.get(form.add_prefix(name)) or "").strip() for name in
               ("ref", "label", "unit", "unit_price", "quantity"))


@admin_required
def amendment_create(request, pk):
    market = _market(request, pk)
    form = AmendmentForm(request.POST or None, market=market)
    line_forms = _new_line_forms(request, market)
    problems = []
    if request.method == "POST":
        filled = [f for f in line_forms if _filled(f)]
        valid = form.is_valid() & all([f.is_valid() for f in filled])
        if valid:
            changes = form.changes()
            new_lines = [f.save(commit=False) for f in filled]
            if not changes and not new_lines and not form.errors:
                problems.append(_("An amendment adds lines or changes prices or quantities: fill in at least one."))
            elif not form.errors:
                data = form.cleaned_data
                new = market_amendments.NewAmendment(number=data["number"], date=data["date"], object=data["object"],
                                              period=data["period"], changes=changes, lines=new_lines)
                try:
                    market_amendments.create(market, new, request.user)
                except market_amendments.AmendmentError as error:
                    problems = error.messages
                else:
                    messages.success(request, _("Amendment %(number)s saved.") % {"number": new.number})
                    return redirect("contracts:amendments", pk=market.pk)
    return render(request, "contracts/amendment_form.html", {
        "market": market, "form": form, "line_forms": line_forms, "problems": problems,
    })


@require_POST
@admin_required
def amendment_delete(request, pk, amendment_pk):
    market = _market(request, pk)
    amendment = get_object_or_404(market.amendments, pk=amendment_pk)
    try:
        market_amendments.delete(amendment)
    except market_amendments.AmendmentError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Amendment %(number)s deleted.") % {"number": amendment.number})
    return redirect("contracts:amendments", pk=market.pk)


# ------------------------------------------------------------------------------------------- end of contract

STEP_TITLES = {
    "reception": lambda: _("Réception recorded."),
    "general-statement": lambda: _("Décompte général recorded."),
    "answer": lambda: _("Answer to the décompte général recorded."),
    "dgd": lambda: _("DGD recorded."),
    "release": lambda: _("Release recorded."),
}


def _closing_forms(market, view, step=None, data=None):
    """Every step's form (bound for ``step``), prefilled with what is recorded."""
    c = view.closing
    initial = {
        "reception": {"reception_date": c.reception_date, "guarantee_months": c.guarantee_months},
        "general-statement": {"dg_notified_on": c.dg_notified_on, "dg_amount_ttc": c.dg_amount_ttc,
                              "dg_amount_ht": c.dg_amount_ht, "dg_reserves": c.dg_reserves},
        "answer": {"answer": c.answer or None, "answer_on": c.answer_on, "claim_grounds": c.claim_grounds},
        "dgd": {"dgd_on": c.dgd_on},
        "release": {"released_on": c.released_on},
    }
    heads = claim_head_forms(data if step == "answer" else None, initial=[
        {"label": h.label, "amount": h.amount, "justification": h.justification}
        for h in (c.claim_heads.all() if c.pk else [])])
    forms_ = {}
    for name, form_class in CLOSING_FORMS.items():
        kwargs = {"market": market, "closing": c, "prefix": name.replace("-", "_"), "initial": initial[name]}
        if name == "answer":
            kwargs["heads"] = heads
        forms_[name] = form_class(data if name == step else None, **kwargs)
    return forms_, heads


DEADLINE_TITLES = {
    "final_statement": (lambda: _("Projet de décompte final"),
                        lambda: _("To send within 30 days of the réception (CCAG-Travaux art. 12.3.2).")),
    "general_statement": (lambda: _("Décompte général from the buyer"),
                          lambda: _("Notified by the buyer within 30 days of receiving the final statement "
                                    "(art. 12.4.2).")),
    "answer": (lambda: _("Answer to the décompte général"),
               lambda: _("Signed, or with reserves and a mémoire en réclamation, within 30 days of its notification; "
                         "silence means it is accepted (art. 12.4.3, 55.1).")),
    "release": (lambda: _("Release of the retention"),
                lambda: _("30 days after the end of the guarantee period (CCP R2191-35).")),
}


def _timeline_rows(view):
    rows = []
    for deadline in view.timeline:
        title, rule = DEADLINE_TITLES[deadline.key]
        title = title()
        if deadline.key == "release" and view.guarantee_instead:
            title = _("Release of the first-demand guarantee (mainlevée)")
        rows.append({"title": title, "rule": rule(), "deadline": deadline})
    return rows


def _step_title(step, view) -> str:
    if step == "release" and view.guarantee_instead:
        return _("Guarantee released (mainlevée)")
    return {"reception": _("Réception"), "general-statement": _("Décompte général received"),
            "answer": _("Your answer to the décompte général"), "dgd": _("DGD (recorded by hand)"),
            "release": _("Retention received")}[step]


def _closing_page(request, market, view, forms_, heads, status=200):
    heads_shown, heads_folded = split_claim_heads(heads)
    return render(request, "contracts/closing.html", {
        "market": market, "view": view, "rows": _timeline_rows(view), "forms": forms_, "heads": heads,
        "heads_shown": heads_shown, "heads_folded": heads_folded,
        "is_admin": request.membership.is_admin,
        "steps": [{"name": step, "form": forms_[step], "title": _step_title(step, view)}
                  for step in closing.STEPS if view.allowed(step)],
        "claim_total": sum((h.amount for h in view.closing.claim_heads.all()), Decimal("0.00"))
        if view.closing.pk else Decimal("0.00"),
    }, status=status)


@member_required
def closing_page(request, pk):
    market = _market(request, pk)
    view = closing.overview(market)
    forms_, heads = _closing_forms(market, view)
    return _closing_page(request, market, view, forms_, heads)


@require_POST
@admin_required
def closing_record(request, pk, step):
    market = _market(request, pk)
    if step not in closing.STEPS:
        raise Http404
    view = closing.overview(market)
    forms_, heads = _closing_forms(market, view, step, request.POST)
    form = forms_[step]
    if not view.allowed(step):
        messages.error(request, closing.REFUSED[step]())
        return redirect("contracts:closing", pk=market.pk)
    if form.is_valid():
        try:
            closing.record(market, step, form, request.user)
        except closing.ClosingError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, STEP_TITLES[step]())
        return redirect("contracts:closing", pk=market.pk)
    return _closing_page(request, market, view, forms_, heads, status=422)


@member_required
def closing_claim(request, pk):
    """The mémoire en réclamation draft (PDF) of an answer with reserves."""
    market = _market(request, pk)
    view = closing.overview(market)
    if view.closing.answer != view.closing.Answer.RESERVES:
        raise Http404(_("No answer with reserves is recorded for this market."))

    response = HttpResponse(render_memoir(view), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="memoire-en-reclamation-{market.pk}.pdf"'
    return response
