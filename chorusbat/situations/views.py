"""Situation screens: list per market, entry of a draft, the décompte page, validation.

Who may do what: members (site managers) enter and correct draft situations (progress, index, penalties);
administrators also validate them (which freezes their figures) and delete drafts. A market has at most one
draft, always its latest situation: a new situation starts once the previous one is validated. Every query is
filtered by the user's company: another company's market or situation is a 404.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chorusbat.accounts.permissions import admin_required, member_required
from chorusbat.markets.models import Market
from chorusbat.situations import numbering
from chorusbat.situations.forms import SituationForm
from chorusbat.situations.models import Situation, Status
from chorusbat.situations.services import (
    SituationError,
    chorus_problems,
    company_numbers,
    decompte,
    final_statement,
    save_draft,
    validate_situation,
)
from chorusbat.web.one_time import AlreadySubmitted, bound_once, once


class DraftExists(Exception):
    """Another request created the market's draft meanwhile (a market has at most one draft)."""

    def __init__(self, draft: Situation):
        super().__init__(draft.number)
        self.draft = draft

PAGE_SIZE = 25


def company_situation(request, pk) -> Situation:
    return get_object_or_404(Situation.objects.select_related("market"), pk=pk,
                             company=request.membership.company)


@member_required
def situation_list(request, market_pk):
    market = get_object_or_404(Market, pk=market_pk, company=request.membership.company)
    situations = market.situations.select_related("transmission", "corrective").order_by("-period")
    page = Paginator(situations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "situations/situation_list.html",
                  {"market": market, "page": page, "final_statement": final_statement(market)})


def next_period(market: Market, latest: Situation | None) -> datetime.date:
    if latest is None:
        return market.start_date.replace(day=1)
    year, month = divmod(latest.period.year * 12 + latest.period.month, 12)  # month after the latest
    return datetime.date(year, month + 1, 1)


@member_required
def situation_create(request, market_pk):
    return _create(request, market_pk, final=False)


@member_required
def situation_create_final(request, market_pk):
    """The projet de décompte final: the same entry form, the progress pre-filled from the last situation."""
    return _create(request, market_pk, final=True)


def _create(request, market_pk, final: bool):
    market = get_object_or_404(Market, pk=market_pk, company=request.membership.company)
    existing = final_statement(market)
    if existing is not None:
        messages.error(request, _("This market already has its final statement (%(number)s): no situation "
                                  "can be added after it.") % {"number": existing.number})
        return redirect("situations:detail", pk=existing.pk)
    latest = market.situations.exclude(status=Status.REJECTED).order_by("-period").first()
    if latest is not None and not latest.is_validated:
        messages.error(request, _("Situation %(number)s is still a draft: finish and validate it first.")
                       % {"number": latest.number})
        return redirect("situations:detail", pk=latest.pk)
    if not market.lines.exists():
        messages.error(request, _("Enter or import the market's contract lines first."))
        return redirect("markets:detail", pk=market.pk)
    if request.method == "POST":
        try:
            form = bound_once(request, lambda: SituationForm(request.POST, market=market,
                                                             accountant=request.membership.is_admin, final=final))
        except AlreadySubmitted as done:
            return done.response()
        if form.is_valid():

            def save() -> str:
                # The market row is locked (PostgreSQL; SQLite writes one transaction at a time), so that the
                # one-draft rule is checked again by one request at a time.
                locked = Market.objects.select_for_update().get(pk=market.pk)
                draft = locked.situations.exclude(status=Status.REJECTED).order_by("-period").first()
                if draft is not None and not draft.is_validated:
                    raise DraftExists(draft)
                situation = save_draft(locked, form.data_object, request.user)
                return reverse("situations:detail", args=[situation.pk])

            try:
                url = once(request, save)
            except AlreadySubmitted as done:
                return done.response()
            except DraftExists as exists:
                messages.error(request, _("Situation %(number)s is still a draft: finish and validate it first.")
                               % {"number": exists.draft.number})
                return redirect("situations:detail", pk=exists.draft.pk)
            except SituationError as exc:  # a final statement saved by another request meanwhile
                for message in exc.messages:
                    form.add_error(None, message)
            except IntegrityError:  # the same number or period saved by another request at the same moment
                form.add_error("number", _("This number or this period was just used by another situation: "
                                           "check the market's situations."))
            else:
                messages.success(request, _("Draft situation %(number)s saved.") % {"number": form.data_object.number})
                return redirect(url)
    else:
        today = timezone.localdate()
        suggestion = numbering.suggest(company_numbers(market.company), today)
        form = SituationForm(market=market, accountant=request.membership.is_admin, final=final, initial={
            "number": suggestion, "period": next_period(market, latest), "date": today,
        })
    return render(request, "situations/situation_form.html", {"form": form, "market": market})


@member_required
def situation_edit(request, pk):
    situation = company_situation(request, pk)
    if not situation.is_draft:  # validated, or sent and rejected: it stays as it was
        messages.error(request, _("A validated situation can no longer be changed; corrections go into the "
                                  "next situation."))
        return redirect("situations:detail", pk=situation.pk)
    market = situation.market
    if request.method == "POST":
        form = SituationForm(request.POST, market=market, situation=situation,
                             accountant=request.membership.is_admin)
        if form.is_valid():
            try:
                save_draft(market, form.data_object, request.user, situation=situation)
            except SituationError as exc:  # validated meanwhile, in another tab
                messages.error(request, exc.messages[0])
                return redirect("situations:detail", pk=situation.pk)
            messages.success(request, _("Draft situation %(number)s saved.") % {"number": form.data_object.number})
            return redirect("situations:detail", pk=situation.pk)
    else:
        form = SituationForm(market=market, situation=situation, accountant=request.membership.is_admin)
    return render(request, "situations/situation_form.html",
                  {"form": form, "market": market, "situation": situation})


@member_required
def situation_detail(request, pk):
    # The transmission and its events are loaded here, with the situation: the panel's tag never queries.
    situation = get_object_or_404(
        Situation.objects.select_related("market", "transmission").prefetch_related("transmission__events"),
        pk=pk, company=request.membership.company)
    figures = decompte(situation)
    problems = chorus_problems(situation) if situation.is_draft and not figures.errors else []
    return render(request, "situations/situation_detail.html",
                  {"situation": situation, "market": situation.market, "decompte": figures,
                   "problems": problems})


def _confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == "yes"


@admin_required
def situation_validate(request, pk):
    """Validation freezes and numbers the invoice: a confirmation page first (works without JavaScript)."""
    situation = company_situation(request, pk)
    if not situation.is_draft:
        messages.error(request, _("This situation is already validated.") if situation.is_validated else
                       _("This situation was rejected and replaced: it can no longer be validated."))
        return redirect("situations:detail", pk=situation.pk)
    if request.method == "POST" and request.POST.get("confirm") == "no":
        return redirect("situations:detail", pk=situation.pk)
    if not _confirmed(request):
        figures = decompte(situation)
        problems = chorus_problems(situation, with_buyer=True) if not figures.errors else []
        return render(request, "situations/situation_confirm.html", {
            "situation": situation, "market": situation.market, "decompte": figures, "problems": problems,
            "action": "validate"})
    try:
        validate_situation(situation, request.user)
    except SituationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Situation %(number)s validated: its décompte is now frozen.")
                         % {"number": situation.number})
    return redirect("situations:detail", pk=situation.pk)


@admin_required
def situation_delete(request, pk):
    """Deleting a draft cannot be undone: a confirmation page first (works without JavaScript)."""
    situation = company_situation(request, pk)
    if not situation.is_draft:
        messages.error(request, _("A validated situation cannot be deleted."))
        return redirect("situations:detail", pk=situation.pk)
    if situation.replaces_id:  # the rejected one would be left without its replacement
        messages.error(request, _("This situation replaces a rejected one: correct it rather than delete it."))
        return redirect("situations:detail", pk=situation.pk)
    if request.method == "POST" and request.POST.get("confirm") == "no":
        return redirect("situations:detail", pk=situation.pk)
    if not _confirmed(request):
        return render(request, "situations/situation_confirm.html", {
            "situation": situation, "market": situation.market, "action": "delete"})
    market_pk, number = situation.market_id, situation.number
    situation.delete()
    messages.success(request, _("Draft situation %(number)s deleted.") % {"number": number})
    return redirect("situations:list", market_pk=market_pk)
