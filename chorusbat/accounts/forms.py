"""The Chorus Pro subscription form (Mon compte › Abonnement ChorusPRO)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chorusbat.accounts.models import ChorusEnvironment, ChorusSubscription
from chorusbat.accounts.validators import normalize_siret, technical_login_warning, validate_siret

# Fields compared for the audit trail, with the label shown to administrators.
AUDITED_FIELDS = {
    "siret": _("SIRET number"),
    "referent_email": _("Chorus Pro referent e-mail"),
    "technical_login": _("Chorus Pro technical account"),
    "environment": _("Environment"),
    "password": _("Password"),
}


def environment_choices():
    """Qualification and production everywhere; the local sandbox only outside production mode."""
    choices = [(ChorusEnvironment.QUALIFICATION, _("Qualification (Chorus Pro test platform)")),
               (ChorusEnvironment.PRODUCTION, _("Production (real invoices)"))]
    if not settings.PRODUCTION:
        choices.insert(0, (ChorusEnvironment.SANDBOX, _("Local sandbox (demonstration, no real Chorus Pro)")))
    return choices


class SubscriptionForm(forms.Form):
    siret = forms.CharField(
        label=_("SIRET number"),
        max_length=40,
        help_text=_("The SIRET of the invoicing entity, as registered in Chorus Pro. Spaces are ignored."),
    )
    referent_email = forms.EmailField(
        label=_("Chorus Pro referent e-mail"),
        max_length=254,
        help_text=_(
            "The e-mail of the main manager or the accountant. Used only for Chorus Pro matters, above all the "
            "reminders to renew the technical password."
        ),
    )
    technical_login = forms.EmailField(
        label=_("Chorus Pro technical account"),
        max_length=254,
        help_text=_("The technical account login, for example TECH_1_12345678901234@cpro.fr."),
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "The technical account's password given by Chorus Pro when the account was created. It is not your "
            "chorusbat login password."
        ),
    )
    password_confirm = forms.CharField(
        label=_("Confirmation"),
        required=False,
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    environment = forms.ChoiceField(label=_("Environment"), widget=forms.RadioSelect)

    def __init__(self, *args, instance: ChorusSubscription | None = None, **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)
        self.fields["environment"].choices = environment_choices()
        if instance is None:
            self.fields["password"].required = True
            self.fields["password_confirm"].required = True
        else:
            self.fields["password"].help_text = _(
                "Leave both password fields empty to keep the stored password."
            )

    def clean_siret(self):
        value = normalize_siret(self.cleaned_data["siret"])
        validate_siret(value)
        return value

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password") or ""
        confirm = cleaned.get("password_confirm") or ""
        if (password or confirm) and password != confirm:
            self.add_error("password_confirm", _("The two passwords do not match."))
        if ":" in (cleaned.get("technical_login") or ""):
            self.add_error("technical_login", _("The technical login cannot contain ':'."))
        return cleaned

    @property
    def login_warning(self) -> str | None:
        login = self.cleaned_data.get("technical_login") if hasattr(self, "cleaned_data") else None
        if login is None:
            login = self.data.get("technical_login", "") if self.is_bound else ""
        return technical_login_warning(login)

    def changes(self) -> list[str]:
        """Keys of AUDITED_FIELDS that this submission changes (password included when a new one is typed)."""
        data = self.cleaned_data
        if self.instance is None:
            return list(AUDITED_FIELDS)
        changed = [f for f in ("siret", "referent_email", "technical_login", "environment")
                   if getattr(self.instance, f) != data[f]]
        if data.get("password"):
            changed.append("password")
        return changed
