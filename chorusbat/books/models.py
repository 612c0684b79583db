"""A company's accounting settings: the account numbers of its sales journal (defaults of the French PCG)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from chorusbat.accounts.models import Company
from chorusbat.books.journal import Accounts

DEFAULTS = Accounts()


def _account(label, default: str):
    return models.CharField(label, max_length=20, default=default,
                            validators=[RegexValidator(r"^[0-9A-Za-z]{3,20}$", _("Letters and digits only."))])


class AccountingSettings(models.Model):
    """Account numbers used by the sales journal export; created with the defaults on first use."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="accounting_settings")
    journal_code = models.CharField(_("journal code"), max_length=10, default=DEFAULTS.journal_code)
    customer_account = _account(_("customers account"), DEFAULTS.customer)
    retention_account = _account(_("retention account"), DEFAULTS.retention)
    sales_account = _account(_("sales account"), DEFAULTS.sales)
    vat_account = _account(_("VAT collected account"), DEFAULTS.vat)
    advance_account = _account(_("advances received account"), DEFAULTS.advance)
    penalties_account = _account(_("penalties account"), DEFAULTS.penalties)

    class Meta:
        verbose_name = _("accounting settings")

    def accounts(self) -> Accounts:
        return Accounts(
            journal_code=self.journal_code, customer=self.customer_account, retention=self.retention_account,
            sales=self.sales_account, vat=self.vat_account, advance=self.advance_account,
            penalties=self.penalties_account,
        )

    @classmethod
    def for_company(cls, company) -> AccountingSettings:
        return cls.objects.get_or_create(company=company)[0]
