"""Market screens: list, create/edit (administrators), detail with its lines, lines entry and import.

Who may do what: every member of the company reads markets; only administrators create or change a market, its
lines and imports. Every query is filtered by the user's company: another company's market is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from chorusbat.accounts.permissions import admin_required, member_required
from chorusbat.markets import imports
from chorusbat.markets.forms import (
    MAX_UPLOAD_BYTES,
    ContractLineForm,
    LineImportForm,
    MarketForm,
    buyer_lookup_for,
)
from chorusbat.markets.models import ContractLine, LineImport, Market
from chorusbat.markets.services import refresh_totals
from chorusbat.markets.uploads import SizeLimitUploadHandler
from chorusbat.web.one_time import AlreadySubmitted, bound_once, once

PAGE_SIZE = 25
# Sums over many situations may need more digits than one amount (SQLite checks them when reading).
MONEY = DecimalField(max_digits=20, decimal_places=2)


def company_market(request, pk) -> Market:
    return get_object_or_404(Market, pk=pk, company=request.membership.company)


@member_required
def market_list(request):
    """Markets with what was billed (validated situations) and what remains, in one query per page.

    Billed excl. VAT is the sum of the validated situations' item a (at initial prices), i.e. the cumulative
    décompte; remaining = contract amount excl. VAT − billed. Billed incl. VAT is the sum of their ``ttc``
    (revision and VAT included).
    """
    validated = Q(situations__status="validated")
    zero = Value(0, output_field=MONEY)
    markets = (
        Market.objects.filter(company=request.membership.company)
        .annotate(
            billed_ht=Coalesce(Sum("situations__a_amount", filter=validated), zero),
            billed_ttc=Coalesce(Sum("situations__ttc_amount", filter=validated), zero),
            situation_count=Count("situations"),
        )
        .annotate(remaining_ht=F("contract_ht") - F("billed_ht"))
        .select_related("closing")  # the end of the market (contracts app): its « soldé » badge
        .order_by("-start_date", "-id")
    )
    page = Paginator(markets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "markets/market_list.html", {"page": page})


@admin_required
def market_create(request):
    return _market_form(request, Market(company=request.membership.company, created_by=request.user))


@admin_required
def market_edit(request, pk):
    return _market_form(request, company_market(request, pk))


def _market_form(request, market: Market):
    company = request.membership.company
    if request.method == "POST":

        def bind() -> MarketForm:
            return MarketForm(request.POST, instance=market, company=company,
                              buyer_lookup=buyer_lookup_for(company, request.POST, market))

        if request.POST.get("action") == "lookup":
            form = bind()
            form.is_valid()  # show what is wrong; nothing is saved on a lookup
            return render(request, "markets/market_form.html", {"form": form, "market": market, "looked_up": True})
        try:
            form = bound_once(request, bind)
        except AlreadySubmitted as done:
            return done.response()
        if form.is_valid():
            creating = market.pk is None

            def save() -> str:
                saved = form.save(commit=False)
                if form.buyer_info is not None:
                    saved.buyer_checked_at = timezone.now()
                saved.save()
                refresh_totals(saved)
                return reverse("markets:detail", args=[saved.pk])

            try:
                url = once(request, save)
            except AlreadySubmitted as done:
                return done.response()
            except IntegrityError:  # the same identifier saved by another request at the same moment
                form.add_error("number", _("Your company already has a market with this identifier for this "
                                           "buyer."))
            else:
                messages.success(request, _("Market created.") if creating else _("Market saved."))
                return redirect(url)
    else:
        form = MarketForm(instance=market, company=company, buyer_lookup=buyer_lookup_for(company, None, market))
    return render(request, "markets/market_form.html", {"form": form, "market": market})


@member_required
def market_detail(request, pk):
    market = get_object_or_404(Market.objects.select_related("closing"), pk=pk, company=request.membership.company)
    context = {
        "market": market,
        "lines": market.lines.all(),
        "locked": market.has_validated_situations(),
        "recent_situations": (market.situations.select_related("transmission", "corrective")
                              .order_by("-period")[:5]),
        # the projet de décompte final (situation-rules.md §6): the last situation, once no draft is pending
        "final_statement": market.situations.filter(final=True).exclude(status="rejected").first(),
        "draft_pending": market.situations.filter(status="draft").exists(),
    }
    return render(request, "markets/market_detail.html", context)


def _refuse_if_locked(request, market) -> bool:
    if market.has_validated_situations():
        messages.error(request, _("The lines of this market are frozen: a situation is validated."))
        return True
    return False


@admin_required
def line_create(request, pk):
    return _line_form(request, company_market(request, pk), ContractLine())


@admin_required
def line_edit(request, pk, line_pk):
    market = company_market(request, pk)
    return _line_form(request, market, get_object_or_404(ContractLine, pk=line_pk, market=market))


def _line_form(request, market, line):
    if _refuse_if_locked(request, market):
        return redirect("markets:detail", pk=market.pk)
    if request.method == "POST":
        try:
            form = bound_once(request, lambda: ContractLineForm(request.POST, instance=line, market=market))
        except AlreadySubmitted as done:
            return done.response()
        if form.is_valid():

            def save() -> str:
                Market.objects.select_for_update().get(pk=market.pk)  # one line change of a market at a time
                saved = form.save(commit=False)
                if saved.pk is None:
                    saved.position = market.lines.count() + 1
                saved.save()
                refresh_totals(market)
                if request.POST.get("action") == "save_add":
                    return reverse("markets:line_create", args=[market.pk])
                return reverse("markets:detail", args=[market.pk])

            try:
                url = once(request, save)
            except AlreadySubmitted as done:
                return done.response()
            except IntegrityError:  # the same reference saved by another request at the same moment
                form.add_error("ref", _("This market already has a line with reference %(ref)s.")
                               % {"ref": form.cleaned_data["ref"]})
            else:
                messages.success(request, _("Line %(ref)s saved.") % {"ref": form.cleaned_data["ref"]})
                return redirect(url)
    else:
        form = ContractLineForm(instance=line, market=market)
    return render(request, "markets/line_form.html", {"form": form, "market": market, "line": line})


@require_POST
@admin_required
def line_delete(request, pk, line_pk):
    market = company_market(request, pk)
    line = get_object_or_404(ContractLine, pk=line_pk, market=market)
    if _refuse_if_locked(request, market):
        return redirect("markets:detail", pk=market.pk)
    if line.progress.exists():
        messages.error(request, _("Line %(ref)s has progress in a situation: it cannot be deleted.")
                       % {"ref": line.ref})
        return redirect("markets:detail", pk=market.pk)
    line.delete()
    refresh_totals(market)
    messages.success(request, _("Line %(ref)s deleted.") % {"ref": line.ref})
    return redirect("markets:detail", pk=market.pk)


@csrf_exempt
def line_import(request, pk):
    """Upload step. The size limit is enforced while the body is read, so it must run before CSRF reads it;
    CSRF is then checked by :func:`_line_import` itself."""
    handler = SizeLimitUploadHandler(MAX_UPLOAD_BYTES)
    request.upload_handlers.insert(0, handler)
    return _line_import(request, pk, handler=handler)


@csrf_protect
@admin_required
def _line_import(request, pk, handler):
    market = company_market(request, pk)
    if _refuse_if_locked(request, market):
        return redirect("markets:detail", pk=market.pk)
    preview = pending = None
    if request.method == "POST":
        form = LineImportForm(request.POST, request.FILES)
        if handler.too_large:
            form.is_valid()
            form.errors.pop("file", None)
            form.add_error("file", _("This file is larger than 20 MB: it is refused."))
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                preview = imports.preview(market, upload.name, upload.read(), form.cleaned_data["default_kind"],
                                          form.cleaned_data["default_vat_rate"])
            except imports.ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                if preview.ok:
                    pending = imports.save_pending(market, request.user, preview)
    else:
        form = LineImportForm()
    return render(request, "markets/line_import.html",
                  {"form": form, "market": market, "preview": preview, "pending": pending})


@require_POST
@admin_required
def line_import_confirm(request, pk, import_pk):
    market = company_market(request, pk)
    pending = get_object_or_404(LineImport, pk=import_pk, market=market, created_by=request.user)
    if _refuse_if_locked(request, market):
        return redirect("markets:detail", pk=market.pk)
    try:
        lines = imports.confirm(pending)
    except imports.ImportFileError as exc:
        messages.error(request, str(exc))
        return redirect("markets:line_import", pk=market.pk)
    messages.success(request, _("%(count)d lines imported.") % {"count": len(lines)})
    return redirect("markets:detail", pk=market.pk)
