"""Public works contracts (marchés) and their contract lines.

A market holds what Chorus Pro and the public buyer need to route and check every monthly situation: the buyer
(SIRET, service code), the market identifier (numéro de marché, BT-12), the engagement juridique (BT-13), the
billing framework and the validator structure, plus the financial terms the computation engine uses (price
revision, advance, retention). Amounts are never computed here: ``contract_ht`` / ``contract_ttc`` are the
engine's figures, refreshed by :func:`chorusbat.markets.services.refresh_totals` whenever the lines change.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from chorusbat.accounts.models import Company
from chorusbat.engine import limits
from chorusbat.markets.bounds import between

VAT_RATES = (Decimal("0"), Decimal("2.1"), Decimal("5.5"), Decimal("10"), Decimal("20"))


class Framework(models.TextChoices):
    """Chorus Pro billing frameworks a market can use (works-billing-background.md §15.2)."""

    A1 = "A1", _("A1 — ordinary invoice")
    A4 = "A4", _("A4 — monthly statement draft (with a project manager)")
    A10 = "A10", _("A10 — subcontractor in direct payment")
    A13 = "A13", _("A13 — co-contractor")

    @classmethod
    def needs_validator(cls, value: str) -> bool:
        """A4 names the project manager (MOE); A10 the main contractor; A13 the group's representative."""
        return value in {cls.A4, cls.A10, cls.A13}


class PaymentDelay(models.IntegerChoices):
    DAYS_30 = 30, _("30 days (State, local authorities)")
    DAYS_50 = 50, _("50 days (public health establishments)")
    DAYS_60 = 60, _("60 days (other public bodies)")


class Market(models.Model):
    """A signed public works contract of a company."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="markets")
    title = models.CharField(_("title"), max_length=200)

    buyer_name = models.CharField(_("buyer"), max_length=200)
    buyer_siret = models.CharField(_("buyer SIRET"), max_length=14)
    buyer_service_code = models.CharField(_("buyer service code"), max_length=100, blank=True)
    number = models.CharField(
        _("market identifier"), max_length=50, help_text=_("The market number given by the buyer.")
    )
    engagement = models.CharField(_("legal commitment (EJ)"), max_length=50, blank=True)

    framework = models.CharField(_("billing framework"), max_length=4, choices=Framework.choices, default=Framework.A1)
    validator_name = models.CharField(_("validator (project manager, main contractor or representative)"),
                                      max_length=200, blank=True)
    validator_siret = models.CharField(_("validator SIRET"), max_length=14, blank=True)
    reverse_charge = models.BooleanField(
        _("VAT reverse charge (subcontractor)"), default=False,
        help_text=_("Subcontracted construction work is invoiced without VAT (Autoliquidation)."),
    )

    start_date = models.DateField(_("start date"))
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"),
        validators=[MinValueValidator(limits.MIN_DURATION_MONTHS), MaxValueValidator(limits.MAX_DURATION_MONTHS)],
    )

    # Price revision Cn = fixed + variable × In / base_index; all three empty for firm prices.
    revision_fixed = models.DecimalField(_("fixed part"), max_digits=6, decimal_places=4, null=True, blank=True)
    revision_variable = models.DecimalField(_("variable part"), max_digits=6, decimal_places=4, null=True, blank=True)
    revision_base_index = models.DecimalField(_("base index"), max_digits=limits.INDEX_MAX_DIGITS,
                                              decimal_places=limits.INDEX_DECIMALS, null=True, blank=True)
    revision_index_name = models.CharField(_("index"), max_length=30, blank=True, help_text=_("For example BT01."))
    revision_index_lag_months = models.PositiveSmallIntegerField(
        _("index month lag"), default=0,
        validators=[MaxValueValidator(limits.MAX_INDEX_LAG_MONTHS)],
        help_text=_("In is the index of the situation's month minus this many months (0: the same month)."),
    )

    # Fractions (0.10 = 10 %), as the engine takes them.
    advance_rate = models.DecimalField(_("advance rate"), max_digits=5, decimal_places=4, default=Decimal("0"))
    advance_start = models.DecimalField(_("advance recovery start"), max_digits=5, decimal_places=4,
                                        default=Decimal("0.65"))
    advance_end = models.DecimalField(_("advance recovery end"), max_digits=5, decimal_places=4,
                                      default=Decimal("0.80"))
    retention_rate = models.DecimalField(
        _("retention rate"), max_digits=5, decimal_places=4, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.05"))],
    )
    payment_delay_days = models.PositiveSmallIntegerField(
        _("payment delay"), choices=PaymentDelay.choices, default=PaymentDelay.DAYS_30
    )

    # The engine's figures for the current lines (refreshed on every line change).
    contract_ht = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"), editable=False)
    contract_ttc = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"), editable=False)

    buyer_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("market")
        verbose_name_plural = _("markets")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "buyer_siret", "number"], name="market_number_unique_per_company_buyer"
            ),
            between("start_date", limits.MIN_DATE, limits.MAX_DATE, name="market_start_date_in_range"),
            between("duration_months", limits.MIN_DURATION_MONTHS, limits.MAX_DURATION_MONTHS,
                    name="market_duration_in_range"),
            between("revision_fixed", 0, limits.MAX_FRACTION, nullable=True, name="market_revision_fixed_in_range"),
            between("revision_variable", 0, limits.MAX_FRACTION, nullable=True,
                    name="market_revision_variable_in_range"),
            between("revision_base_index", limits.MIN_INDEX, limits.MAX_INDEX, nullable=True,
                    name="market_base_index_in_range"),
            between("advance_rate", 0, limits.MAX_ADVANCE_RATE, name="market_advance_rate_in_range"),
            between("advance_start", 0, limits.MAX_FRACTION, name="market_advance_start_in_range"),
            between("advance_end", 0, limits.MAX_FRACTION, name="market_advance_end_in_range"),
            between("retention_rate", 0, limits.MAX_RETENTION_RATE, name="market_retention_rate_in_range"),
            between("revision_index_lag_months", 0, limits.MAX_INDEX_LAG_MONTHS, name="market_index_lag_in_range"),
            between("contract_ht", -limits.MAX_AMOUNT, limits.MAX_AMOUNT, name="market_contract_ht_in_range"),
            between("contract_ttc", -limits.MAX_AMOUNT, limits.MAX_AMOUNT, name="market_contract_ttc_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    @property
    def is_revised(self) -> bool:
        return self.revision_base_index is not None

    def has_validated_situations(self) -> bool:
        """Once a situation is validated, lines and financial terms are frozen (its décompte must not move)."""
        return self.situations.filter(status="validated").exists()


class LineKind(models.TextChoices):
    FORFAIT = "forfait", _("lump sum (percentage)")
    UNITAIRE = "unitaire", _("unit price (quantity)")


class ContractLine(models.Model):
    """One line of the DPGF (lump sum, billed by %) or of the BPU/DQE (unit price, billed by quantity)."""

    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    ref = models.CharField(_("reference"), max_length=30)
    label = models.CharField(_("label"), max_length=300)
    kind = models.CharField(_("price form"), max_length=10, choices=LineKind.choices, default=LineKind.FORFAIT)
    unit = models.CharField(_("unit"), max_length=20)
    unit_price = models.DecimalField(_("unit price excl. VAT"), max_digits=limits.UNIT_PRICE_MAX_DIGITS,
                                     decimal_places=limits.UNIT_PRICE_DECIMALS)
    quantity = models.DecimalField(_("quantity"), max_digits=limits.QUANTITY_MAX_DIGITS,
                                   decimal_places=limits.QUANTITY_DECIMALS)
    vat_rate = models.DecimalField(
        _("VAT rate"), max_digits=4, decimal_places=1, choices=[(r, f"{r} %") for r in VAT_RATES]
    )
    extra_work = models.BooleanField(_("ordered extra works (ordre de service)"), default=False)
    # The amendment that added the line (None: a line of the initial market).
    amendment = models.ForeignKey("Amendment", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="new_lines", editable=False)

    class Meta:
        verbose_name = _("contract line")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["market", "ref"], name="line_ref_unique_per_market"),
            between("unit_price", 0, limits.MAX_UNIT_PRICE, name="line_unit_price_in_range"),
            between("quantity", 0, limits.MAX_QUANTITY, name="line_quantity_in_range"),
            between("vat_rate", 0, limits.MAX_PERCENT, name="line_vat_rate_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.label}"


class LineImport(models.Model):
    """A checked lines file waiting for the administrator's confirmation (kept server-side, never re-uploaded).

    ``rows`` holds the parsed lines as JSON (decimals as strings). Nothing reaches ``ContractLine`` before
    the confirmation.
    """

    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="pending_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    rows = models.JSONField(default=list)


class Amendment(models.Model):
    """An avenant: from the situations of ``period`` on, its new lines exist and its price/quantity changes apply.

    Only an amendment after the last validated situation can be added or deleted: a validated décompte never
    changes."""

    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="amendments")
    number = models.CharField(_("amendment number"), max_length=20)
    date = models.DateField(_("amendment date"))
    object = models.CharField(_("object"), max_length=300)
    period = models.DateField(_("applies from the situation of"), help_text=_("First day of the month."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("amendment")
        ordering = ["period", "id"]
        constraints = [
            models.UniqueConstraint(fields=["market", "number"], name="amendment_number_unique_per_market"),
            between("date", limits.MIN_DATE, limits.MAX_DATE, name="amendment_date_in_range"),
            between("period", limits.MIN_DATE, limits.MAX_DATE, name="amendment_period_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.period:%Y-%m})"


class AmendmentChange(models.Model):
    """An amendment's new unit price and/or quantity for an existing line (empty: unchanged)."""

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="changes")
    line = models.ForeignKey(ContractLine, on_delete=models.CASCADE, related_name="amendment_changes")
    unit_price = models.DecimalField(_("new unit price excl. VAT"), max_digits=limits.UNIT_PRICE_MAX_DIGITS,
                                     decimal_places=limits.UNIT_PRICE_DECIMALS, null=True, blank=True)
    quantity = models.DecimalField(_("new quantity"), max_digits=limits.QUANTITY_MAX_DIGITS,
                                   decimal_places=limits.QUANTITY_DECIMALS, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            between("unit_price", 0, limits.MAX_UNIT_PRICE, nullable=True, name="amendment_unit_price_in_range"),
            between("quantity", 0, limits.MAX_QUANTITY, nullable=True, name="amendment_quantity_in_range"),
        ]
