from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chorusbat.accounts.models import Membership
from chorusbat.people.models import NotificationPreferences


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER,
                             widget=forms.RadioSelect)


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code"), max_length=16, help_text=_("The 6 digits shown by your app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )

    def clean_otp_token(self):
        return "".join(self.cleaned_data["otp_token"].split())


class PreferencesForm(forms.ModelForm):
    class Meta:

        model = NotificationPreferences
        fields = list(NotificationPreferences.KINDS)


class SetupTokenForm(TokenForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["otp_token"].help_text = _("The 6 digits shown by your app.")
