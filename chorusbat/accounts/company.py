"""Mon compte › Entreprise: the company's legal details, bank account and logo, as printed on its documents.

Identifiers are checked with python-stdnum (SIREN, French VAT number) and schwifty (IBAN, BIC), the logo with
:func:`chorusbat.web.filecheck.check_logo`. Saving records who changed which fields (:class:`CompanyAuditEntry`) and,
through the ``post_save`` signal of :mod:`chorusbat.invoicing.signals`, gets the documents of the validated
situations not yet sent rebuilt with the new details.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import tva as stdnum_tva

from chorusbat.accounts.models import Company, CompanyAuditEntry, VatRegime
from chorusbat.facturx.pdf_render import logo_renders
from chorusbat.web.filecheck import LOGO_MAX_BYTES, FileRefused, check_logo, size_label

# The fields of the form, in the audit trail's words.
AUDITED_COMPANY_FIELDS = {
    "legal_name": _("Legal name"),
    "legal_form": _("Legal form"),
    "share_capital": _("Share capital"),
    "rcs_city": _("RCS registry city"),
    "rcs_number": _("RCS number"),
    "address_line1": _("Address"),
    "address_line2": _("Address (continued)"),
    "postcode": _("Postcode"),
    "city": _("City"),
    "vat_number": _("VAT number"),
    "vat_regime": _("VAT regime"),
    "iban": _("IBAN"),
    "bic": _("BIC"),
    "default_payment_delay_days": _("Default payment delay"),
    "logo": _("Logo"),
}
MODEL_FIELDS = [name for name in AUDITED_COMPANY_FIELDS if name != "logo"]
LEGAL_FORMS = ("EI", "EURL", "SARL", "SAS", "SASU", "SA", "SNC", "SCOP", "SCI")


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


class CompanyForm(forms.Form):
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    legal_form = forms.CharField(label=_("Legal form"), max_length=60, required=False,
                                 help_text=_("For example SARL, SAS, EURL."))
    share_capital = forms.CharField(label=_("Share capital (€)"), max_length=20, required=False,
                                    help_text=_("For example 10 000 or 7 622,45."))
    rcs_city = forms.CharField(label=_("RCS registry city"), max_length=60, required=False,
                               help_text=_("The city of the trade and companies register (greffe), e.g. Nantes."))
    rcs_number = forms.CharField(label=_("RCS number (SIREN)"), max_length=20, required=False,
                                 help_text=_("The 9 digits of the SIREN, the first 9 of your SIRET."))
    address_line1 = forms.CharField(label=_("Address"), max_length=200)
    address_line2 = forms.CharField(label=_("Address (continued)"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10)
    city = forms.CharField(label=_("City"), max_length=100)
    vat_number = forms.CharField(label=_("VAT number"), max_length=20, required=False,
                                 help_text=_("Intra-community VAT number, e.g. FR44732829320."))
    vat_regime = forms.ChoiceField(label=_("VAT regime"), choices=VatRegime.choices, widget=forms.RadioSelect,
                                   help_text=_("On debits only if your company opted for it: the documents then "
                                               "say « TVA acquittée sur les débits »."))
    iban = forms.CharField(label=_("IBAN"), max_length=50, help_text=_("Spaces are ignored."))
    bic = forms.CharField(label=_("BIC"), max_length=15, required=False)
    default_payment_delay_days = forms.TypedChoiceField(
        label=_("Default payment delay"), coerce=int,
        choices=[(30, _("30 days (State, local authorities)")), (50, _("50 days (public health establishments)")),
                 (60, _("60 days (other public bodies)"))],
        help_text=_("Proposed for new markets; each market keeps its own delay."))
    logo = forms.FileField(label=_("Logo"), required=False,
                           help_text=_("PNG, JPEG or SVG, at most %(size)s. Printed at the top of the documents.")
                           % {"size": size_label(LOGO_MAX_BYTES)},
                           widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg,.svg"}))
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)

    def __init__(self, *args, company: Company, **kwargs):
        self.company = company
        kwargs.setdefault("initial", {name: getattr(company, name) for name in MODEL_FIELDS})
        super().__init__(*args, **kwargs)
        self.checked_logo = None
        if company.share_capital is not None and not self.is_bound:
            self.initial["share_capital"] = company.share_capital_text.replace("\u00a0€", "")

    def clean_legal_name(self):
        value = " ".join(self.cleaned_data["legal_name"].split())
        if not value:
            raise forms.ValidationError(_("Give the company's legal name."))
        return value

    def clean_legal_form(self):
        return " ".join(self.cleaned_data["legal_form"].split())

    def clean_share_capital(self):
        raw = self.cleaned_data["share_capital"]
        text = re.sub(r"[\s\u00a0\u202f€]", "", raw).replace(",", ".")
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("Type an amount in euros, for example 10 000 or 7 622,45.")) from None
        if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")) or value >= 10**12:
            raise forms.ValidationError(_("Type an amount in euros, for example 10 000 or 7 622,45."))
        return value.quantize(Decimal("0.01"))

    def clean_rcs_number(self):
        value = _compact(self.cleaned_data["rcs_number"])
        if not value:
            return ""
        try:
            stdnum_siren.validate(value)
        except StdnumError:
            raise forms.ValidationError(_("An RCS number is the 9-digit SIREN, with a valid check digit.")) from None
        if value != self.company.siret[:9]:
            raise forms.ValidationError(_("This SIREN is not the one of your SIRET (%(siren)s).")
                                        % {"siren": self.company.siret[:9]})
        return value

    def clean_rcs_city(self):
        return " ".join(self.cleaned_data["rcs_city"].split())

    def clean_postcode(self):
        value = self.cleaned_data["postcode"].strip()
        if (self.company.country_code or "FR") == "FR" and not re.fullmatch(r"\d{5}", value):
            raise forms.ValidationError(_("A French postcode has 5 digits."))
        return value

    def clean_vat_number(self):
        value = _compact(self.cleaned_data["vat_number"])
        if not value:
            return ""
        try:
            compact = stdnum_tva.validate(value)
        except StdnumError:
            raise forms.ValidationError(_("This VAT number is not valid: a French one is FR, a 2-character key "
                                          "and the SIREN (e.g. FR44732829320).")) from None
        if compact[2:] != self.company.siret[:9]:
            raise forms.ValidationError(_("This VAT number is not the one of your SIREN (%(siren)s).")
                                        % {"siren": self.company.siret[:9]})
        return "FR" + compact

    def clean_iban(self):
        try:
            iban = IBAN(self.cleaned_data["iban"])
        except SchwiftyException:
            raise forms.ValidationError(_("This IBAN is not valid. Check it against your bank details (RIB).")) \
                from None
        return iban.compact

    def clean_bic(self):
        value = _compact(self.cleaned_data["bic"])
        if not value:
            return ""
        try:
            return BIC(value).compact
        except SchwiftyException:
            raise forms.ValidationError(_("This BIC is not valid: it has 8 or 11 characters, e.g. AGRIFRPP.")) \
                from None

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        if upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(_("The logo is too big (%(size)s; at most %(max)s).")
                                        % {"size": size_label(upload.size), "max": size_label(LOGO_MAX_BYTES)})
        try:
            checked = check_logo(upload.read(), upload.name, upload.content_type)
        except FileRefused as refused:
            raise forms.ValidationError(str(refused)) from None

        if not logo_renders(checked.data, checked.mime):
            raise forms.ValidationError(_("This logo cannot be drawn on the documents: save it again as PNG or "
                                          "JPEG and send that file."))
        self.checked_logo = checked
        return upload

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("rcs_city")) != bool(cleaned.get("rcs_number")):
            self.add_error("rcs_number" if cleaned.get("rcs_city") else "rcs_city",
                           _("Give both the RCS registry city and the RCS number, or neither."))
        if self.checked_logo is not None and cleaned.get("remove_logo"):
            self.add_error("remove_logo", _("Either send a new logo or remove the current one, not both."))
        return cleaned

    def changes(self) -> list[str]:
        data = self.cleaned_data
        changed = [name for name in MODEL_FIELDS if getattr(self.company, name) != data[name]]
        if self.checked_logo is not None and self.checked_logo.data != self.company.logo_bytes:
            changed.append("logo")
        elif data.get("remove_logo") and self.company.logo_bytes:
            changed.append("logo")
        return changed


def save_company(form: CompanyForm, user) -> list[str]:
    """Apply the form to its company and record the change; return the changed fields (none: nothing saved)."""
    changes = form.changes()
    if not changes:
        return []
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=form.company.pk)
        for name in MODEL_FIELDS:
            setattr(company, name, form.cleaned_data[name])
        if "logo" in changes:
            logo = form.checked_logo
            company.logo = logo.data if logo else b""
            company.logo_mime = logo.mime if logo else ""
        company.save()
        CompanyAuditEntry.objects.create(company=company, user=user, changed_fields=changes)
    form.company = company
    return changes
