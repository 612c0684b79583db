"""Two-factor authentication: the second login step, and Mon compte › Double authentification."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token

from chorusbat.people import two_factor
from chorusbat.people.forms import SetupTokenForm, TokenForm


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()) else "/"


@require_http_methods(["GET", "POST"])
def verify(request):
    """Second step of the login, for users who turned two-factor authentication on."""
    if request.user.is_verified() or not two_factor.has_device(request.user):
        return redirect(_next(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["otp_token"])
        if device is not None:
            otp_login(request, device)
            if device.name == two_factor.STATIC_NAME:
                messages.warning(request, _("You used a recovery code; %(n)s left.")
                                 % {"n": two_factor.remaining_codes(request.user)})
            return redirect(_next(request))
        form.add_error("otp_token", _("This code is not valid. Check your phone's time, or use a recovery code."))
    return render(request, "people/verify.html", {"form": form, "next": _next(request)})


@require_http_methods(["GET", "POST"])
def setup(request):
    user = request.user
    if two_factor.has_device(user) and not user.is_verified():
        return redirect("people:verify")
    required = two_factor.required_for(getattr(request, "membership", None))
    action = request.POST.get("action", "")
    form = TokenForm(request.POST if action in ("confirm", "disable") else None)

    if two_factor.enabled(user):
        if action == "codes":
            codes = two_factor.new_recovery_codes(user)
            return render(request, "people/two_factor.html", {"enabled": True, "codes": codes, "required": required})
        if action == "disable" and not required and form.is_valid():
            if match_token(user, form.cleaned_data["otp_token"]) is not None:
                two_factor.disable(user)
                two_factor.remember(request, False)
                messages.success(request, _("Two-factor authentication is turned off."))
                return redirect("people:two_factor")
            form.add_error("otp_token", _("This code is not valid."))
        return render(request, "people/two_factor.html", {
            "enabled": True, "remaining": two_factor.remaining_codes(user), "required": required, "form": form})

    device = two_factor.pending_device(user)
    form = SetupTokenForm(request.POST if action == "confirm" else None)
    if action == "confirm" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = two_factor.new_recovery_codes(user)
            otp_login(request, device)
            two_factor.remember(request, True)
            messages.success(request, _("Two-factor authentication is on."))
            return render(request, "people/two_factor.html", {"enabled": True, "codes": codes, "required": required})
        form.add_error("otp_token", _("This code is not valid. Check your phone's time and type the current code."))
    return render(request, "people/two_factor.html", {
        "enabled": False, "form": form, "required": required, "qr": two_factor.qr_data_uri(device),
        "secret": two_factor.secret_text(device)})
