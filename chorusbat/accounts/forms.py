"""The Chorus Pro subscription form (Mon compte › Abonnement ChorusPRO)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from chorusbat.accounts.models import ChorusEnvironment, ChorusSubscription
from chorusbat.accounts.validators import normalize_siret, technical_login_warning, validate_siret

# Fields compared for the audit trail, with the label shown to administrators.
AUDITED_FIELDS = {
    "siret": _("SIRET number"),
    "referent_email": _("Chorus Pro referent e-mail"),
    "technical_login": _("Chorus Pro technical account"),
    "environment": _("Environment"),
    "password": _("Password"),
    "piste_client_id": _("Own PISTE application: client id"),
    "piste_client_secret": _("Own PISTE application: client secret"),
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
    # Optional: the company's own PISTE application (chorus-pro-api.md §3.4). Empty: the platform's is used.
    piste_client_id = forms.CharField(
        label=_("PISTE client id (optional)"), required=False, max_length=100,
        help_text=_("Only if your company connects to Chorus Pro through its own PISTE application. Leave empty "
                    "to use the application of the platform."),
    )
    piste_client_secret = forms.CharField(
        label=_("PISTE client secret (optional)"), required=False, max_length=256, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Leave empty to keep the stored secret."),
    )

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

    @sensitive_variables("cleaned", "password", "confirm")
    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password") or ""
        confirm = cleaned.get("password_confirm") or ""
        if (password or confirm) and password != confirm:
            self.add_error("password_confirm", _("The two passwords do not match."))
        client_id = cleaned.get("piste_client_id") or ""
        has_secret = bool(cleaned.get("piste_client_secret")) or bool(
            self.instance and self.instance.piste_client_secret_encrypted)
        if client_id and not has_secret:
            self.add_error("piste_client_secret", _("Give the secret of this PISTE application."))
        if cleaned.get("piste_client_secret") and not client_id:
            self.add_error("piste_client_id", _("Give the client id of this PISTE application."))
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
            return [f for f in AUDITED_FIELDS if not f.startswith("piste_") or data.get(f)]
        changed = [f for f in ("siret", "referent_email", "technical_login", "environment", "piste_client_id")
                   if getattr(self.instance, f) != data[f]]
        if data.get("password"):
            changed.append("password")
        if data.get("piste_client_secret"):
            changed.append("piste_client_secret")
        return changed
