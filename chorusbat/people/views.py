"""Mon compte › Membres (administrators), accepting an invitation, and one's own password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from chorusbat.accounts.models import Membership
from chorusbat.accounts.permissions import admin_required
from chorusbat.people import members
from chorusbat.people.forms import InviteForm, PreferencesForm
from chorusbat.people.invitation_links import INVITATION_DAYS, invitation_tokens
from chorusbat.people.notifications import preferences_for


@admin_required
def member_list(request):
    company = request.membership.company
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            members.invite(company, request.user, data["email"], data["role"], data["first_name"],
                           data["last_name"], base_url=request.build_absolute_uri("/")[:-1])
        except members.MemberError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": data["email"]})
            return redirect("people:members")
    rows = [{"m": m, "pending": members.is_pending(m.user)}
            for m in company.memberships.select_related("user").order_by("user__last_name", "user__username")]
    return render(request, "people/members.html", {"rows": rows, "form": form, "roles": Membership.Role.choices,
                                                   "days": INVITATION_DAYS})


@admin_required
@require_POST
def member_action(request, pk: int, action: str):
    membership = get_object_or_404(Membership, pk=pk, company=request.membership.company)
    name = membership.user.get_full_name() or membership.user.username
    try:
        if action == "role":
            members.set_role(membership, request.POST.get("role", ""))
            message = _("%(name)s is now: %(role)s.") % {"name": name, "role": membership.get_role_display()}
        elif action == "deactivate":
            members.deactivate(membership)
            message = _("%(name)s can no longer log in.") % {"name": name}
        elif action == "reactivate":
            members.reactivate(membership)
            message = _("%(name)s can log in again.") % {"name": name}
        elif action == "remove":
            members.remove(membership)
            message = _("%(name)s has been removed from the company.") % {"name": name}
        elif action == "resend" and members.is_pending(membership.user):
            members.send_invitation(membership, request.user, base_url=request.build_absolute_uri("/")[:-1])
            message = _("Invitation sent to %(email)s.") % {"email": membership.user.email}
        else:
            return redirect("people:members")
    except members.MemberError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, message)
    return redirect("people:members")


@login_not_required
@sensitive_post_parameters("new_password1", "new_password2")
def accept_invitation(request, uidb64: str, token: str):
    User = get_user_model()
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    valid = user is not None and user.is_active and invitation_tokens.check_token(user, token)
    if not valid:
        return render(request, "people/invitation.html", {"valid": False, "days": INVITATION_DAYS}, status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your password is saved and you are logged in."))
        return redirect("home")
    membership = Membership.objects.filter(user=user).select_related("company").first()
    return render(request, "people/invitation.html", {"valid": True, "form": form, "invited": user,
                                                      "company": membership.company if membership else None})


def notification_preferences(request):
    form = PreferencesForm(request.POST or None, instance=preferences_for(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("people:notifications")
    return render(request, "people/notifications.html", {"form": form})
