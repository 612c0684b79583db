"""Profil et autres › Mon compte, and the Chorus Pro subscription (Abonnement ChorusPRO)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from chorusbat.accounts import services
from chorusbat.accounts.chorus_access import verify_subscription
from chorusbat.accounts.company import AUDITED_COMPANY_FIELDS, CompanyForm, save_company
from chorusbat.accounts.forms import AUDITED_FIELDS, SubscriptionForm
from chorusbat.accounts.models import ChorusSubscription
from chorusbat.accounts.password_life import expiry_statement
from chorusbat.accounts.permissions import admin_required, member_required
from chorusbat.web.one_time import AlreadySubmitted, check_not_submitted, once


def _subscription(company) -> ChorusSubscription | None:
    return ChorusSubscription.objects.filter(company=company).first()


@member_required
def my_account(request):
    company = request.membership.company
    context = {"company": company}
    if request.membership.is_admin:
        context["subscription"] = subscription = _subscription(company)
        if subscription is not None:
            context["expiry_statement"] = expiry_statement(subscription)
        context["audit"] = [
            {"entry": e, "fields": [AUDITED_FIELDS.get(f, f) for f in e.changed_fields]}
            for e in company.subscription_audit.select_related("user")[:50]
        ]
    return render(request, "accounts/my_account.html", context)


@sensitive_variables()
@sensitive_post_parameters("password", "password_confirm", "piste_client_secret")
@admin_required
@require_http_methods(["GET", "POST"])
def subscription_edit(request):
    company = request.membership.company
    subscription = _subscription(company)

    if request.method == "GET":
        initial = {"siret": company.siret, "environment": "qualification"}
        if subscription:
            initial = {
                "siret": subscription.siret,
                "referent_email": subscription.referent_email,
                "technical_login": subscription.technical_login,
                "environment": subscription.environment,
                "piste_client_id": subscription.piste_client_id,
            }
        form = SubscriptionForm(initial=initial, instance=subscription)
        return render(request, "accounts/subscription_form.html", {"form": form, "subscription": subscription})

    action = request.POST.get("action", "save")
    if action == "cancel":
        services.discard_pending_change(request.session)
        messages.info(request, _("Changes cancelled: the subscription is unchanged."))
        return redirect("accounts:my_account")

    if action == "confirm":
        token = request.POST.get("token", "")
        try:  # confirmed twice (double click, two tabs): saved and audited once, the same page for both
            check_not_submitted(request, token)
        except AlreadySubmitted as done:
            return done.response()
        pending = services.pending_change(request.session, company, token)
        if pending is None:
            messages.error(request, _("This confirmation has expired. Please fill in the form again."))
            return redirect("accounts:subscription_edit")
        saved = []

        def save() -> str:
            saved.append(services.apply_pending_change(company, request.user, pending))
            return reverse("accounts:my_account")

        try:
            once(request, save, token=pending["token"])
        except AlreadySubmitted as done:
            return done.response()
        subscription = saved[0]
        services.discard_pending_change(request.session)
        messages.success(request, _("The Chorus Pro subscription has been saved."))
        _report_check(request, verify_subscription(subscription), subscription)
        return redirect("accounts:my_account")

    form = SubscriptionForm(request.POST, instance=subscription)
    if not form.is_valid():
        return render(
            request, "accounts/subscription_form.html", {"form": form, "subscription": subscription}, status=200
        )
    changes = form.changes()
    if not changes:
        messages.info(request, _("Nothing has changed: the subscription is unchanged."))
        return redirect("accounts:my_account")
    token = services.park_pending_change(request.session, company, form.cleaned_data, changes)
    summary = [
        {
            "label": AUDITED_FIELDS[f],
            "value": (
                _("new secret entered")
                if f == "piste_client_secret"
                else _("new password entered")
                if f == "password"
                else dict(form.fields["environment"].choices).get(form.cleaned_data[f], form.cleaned_data[f])
                if f == "environment"
                else form.cleaned_data[f]
            ),
        }
        for f in changes
    ]
    return render(
        request,
        "accounts/subscription_confirm.html",
        {
            "token": token,
            "summary": summary,
            "login_warning": form.login_warning,
            "is_production": form.cleaned_data["environment"] == "production",
            "keeps_password": subscription is not None and "password" not in changes,
        },
    )


def _report_check(request, check, subscription) -> None:
    """Tell the user how the connection test went, with what to do when it failed."""
    if check is not None and check.ok:
        messages.success(request, _("Connection to Chorus Pro verified."))
    else:
        messages.warning(request,
                         subscription.status_detail or _("The connection to Chorus Pro could not be verified."))
    if getattr(subscription, "expiry_change_note", ""):
        messages.info(request, subscription.expiry_change_note)


@admin_required
@require_http_methods(["POST"])
def test_connection(request):
    subscription = _subscription(request.membership.company)
    if subscription is None:
        messages.error(request, _("Fill in the Chorus Pro subscription first."))
        return redirect("accounts:my_account")
    _report_check(request, verify_subscription(subscription), subscription)
    return redirect("accounts:my_account")


@admin_required
@require_http_methods(["GET", "POST"])
def company_edit(request):
    """Mon compte › Entreprise: legal details, bank account, logo; every change audited."""

    company = request.membership.company
    if request.method == "POST":
        form = CompanyForm(request.POST, request.FILES, company=company)
        if form.is_valid():
            changes = save_company(form, request.user)
            if changes:
                messages.success(request, _("Company details saved: %(fields)s.") % {
                    "fields": ", ".join(str(AUDITED_COMPANY_FIELDS[f]) for f in changes)})
            else:
                messages.info(request, _("Nothing has changed: the company details are unchanged."))
            return redirect("accounts:company_edit")
    else:
        form = CompanyForm(company=company)
    audit = [
        {"entry": e, "fields": [AUDITED_COMPANY_FIELDS.get(f, f) for f in e.changed_fields]}
        for e in company.settings_audit.select_related("user")[:50]
    ]
    return render(request, "accounts/company_form.html", {"form": form, "company": company, "audit": audit})


@member_required
def company_logo(request):
    """The company's logo, as stored (checked at upload), served inert: no script may run from it."""
    from django.http import Http404, HttpResponse

    company = request.membership.company
    if not company.logo_bytes:
        raise Http404
    response = HttpResponse(company.logo_bytes, content_type=company.logo_mime)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response
