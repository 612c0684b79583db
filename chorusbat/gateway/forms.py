"""Forms of the actions on an invoice in Chorus Pro: answer a suspension, correct the routing data."""

from django import forms
from django.utils.translation import gettext_lazy

from chorusbat.accounts.validators import normalize_siret, validate_siret


class CompleteForm(forms.Form):
    comment = forms.CharField(label=gettext_lazy("Comment for the buyer"), max_length=200, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    files = forms.FileField(label=gettext_lazy("Attachments"), required=False,
                            widget=forms.ClearableFileInput(attrs={"multiple": False}))


class RecycleForm(forms.Form):
    buyer_siret = forms.CharField(label=gettext_lazy("Buyer SIRET"), max_length=40)
    service_code = forms.CharField(label=gettext_lazy("Service code"), max_length=100, required=False)
    engagement = forms.CharField(label=gettext_lazy("Legal commitment (EJ)"), max_length=50, required=False)

    def clean_buyer_siret(self):
        value = normalize_siret(self.cleaned_data["buyer_siret"])
        validate_siret(value)
        return value
