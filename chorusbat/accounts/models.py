"""Companies, their members, and the company's Chorus Pro subscription (technical account)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from chorusbat import crypto
from chorusbat.facturx.text import fr_money

# How long a Chorus Pro technical password lives when Chorus Pro does not tell us (12 months).
PASSWORD_LIFETIME = timedelta(days=365)


class VatRegime(models.TextChoices):
    """When the company's VAT becomes due (CGI art. 269): on payments (the rule for works) or on debits (option)."""

    RECEIPTS = "encaissements", _("on receipts (payments received)")
    DEBITS = "debits", _("on debits (option)")


class Company(models.Model):
    """The invoicing company (société émettrice)."""

    legal_name = models.CharField(_("legal name"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country_code = models.CharField(_("country"), max_length=2, default="FR")
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    # Legal mentions printed on the documents (Mon compte › Entreprise).
    legal_form = models.CharField(_("legal form"), max_length=60, blank=True)
    share_capital = models.DecimalField(_("share capital"), max_digits=14, decimal_places=2, null=True, blank=True)
    rcs_city = models.CharField(_("RCS registry city"), max_length=60, blank=True)
    rcs_number = models.CharField(_("RCS number"), max_length=9, blank=True)
    vat_regime = models.CharField(_("VAT regime"), max_length=15, choices=VatRegime.choices,
                                  default=VatRegime.RECEIPTS)
    default_payment_delay_days = models.PositiveSmallIntegerField(_("default payment delay"), default=30)
    # The logo printed at the top of the documents, checked by chorusbat.web.filecheck.check_logo (exact bytes).
    logo = models.BinaryField(default=b"", blank=True)
    logo_mime = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["legal_name"]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def rcs(self) -> str:
        """« RCS Nantes 732 829 320 », as printed on the documents, when both parts are known."""
        if not (self.rcs_city and self.rcs_number):
            return ""
        number = self.rcs_number
        grouped = " ".join(number[i:i + 3] for i in range(0, len(number), 3)) if number.isdigit() else number
        return f"RCS {self.rcs_city} {grouped}"

    @property
    def share_capital_text(self) -> str:
        """« 10 000 € », « 7 622,45 € »: the share capital as printed."""
        if self.share_capital is None:
            return ""

        text = fr_money(self.share_capital)
        return text[:-5] + text[-2:] if text.endswith(",00\u00a0€") else text

    @property
    def logo_bytes(self) -> bytes:
        return bytes(self.logo or b"")


class CompanyAuditEntry(models.Model):
    """One change to the company's settings (Mon compte › Entreprise): who, when, which fields."""

    company = models.ForeignKey("Company", on_delete=models.CASCADE, related_name="settings_audit")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    changed_fields = models.JSONField(default=list)

    class Meta:
        ordering = ["-at", "-id"]


class Membership(models.Model):
    """A user's place in a company. A user belongs to exactly one company."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("administrator")
        MEMBER = "member", _("user")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        verbose_name = _("membership")

    def __str__(self) -> str:
        return f"{self.user} @ {self.company} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


class ChorusEnvironment(models.TextChoices):
    SANDBOX = "sandbox", _("Local sandbox")
    QUALIFICATION = "qualification", _("Qualification")
    PRODUCTION = "production", _("Production")


class SubscriptionStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("not verified")
    VERIFIED = "verified", _("verified")
    REFUSED = "refused", _("credentials refused")
    EXPIRED = "expired", _("password expired")
    NOT_ATTACHED = "not_attached", _("SIRET not attached to the technical account")
    UNREACHABLE = "unreachable", _("Chorus Pro unreachable")
    MISCONFIGURED = "misconfigured", _("configuration refused")


class ChorusSubscription(models.Model):
    """The company's Chorus Pro technical account (Mon compte › Abonnement ChorusPRO).

    The password is only ever held encrypted; read it with :meth:`get_password` where a Chorus Pro call
    needs it, and nowhere else.
    """

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="chorus_subscription")
    siret = models.CharField(_("SIRET"), max_length=14)
    referent_email = models.EmailField(_("Chorus Pro referent e-mail"), max_length=254)
    technical_login = models.CharField(_("Chorus Pro technical account"), max_length=254)
    password_encrypted = crypto.EncryptedTextField(editable=False)
    password_set_at = models.DateTimeField(_("password set on"))
    environment = models.CharField(
        _("environment"), max_length=20, choices=ChorusEnvironment.choices, default=ChorusEnvironment.QUALIFICATION
    )

    # Filled by the connection check (Tester la connexion).
    status = models.CharField(
        _("status"), max_length=20, choices=SubscriptionStatus.choices, default=SubscriptionStatus.UNVERIFIED
    )
    status_checked_at = models.DateTimeField(null=True, blank=True)
    status_detail = models.TextField(blank=True)
    # Expiry reported by Chorus Pro (dateExpirationMotPasseCompteTech), when it reports one.
    password_expires_reported = models.DateTimeField(null=True, blank=True)
    structure_id = models.BigIntegerField(null=True, blank=True)  # idStructureCPP of the company

    # Optional: the company's own PISTE application, instead of the platform's (chorus-pro-api.md §3.4).
    piste_client_id = models.CharField(_("PISTE client id"), max_length=100, blank=True)
    piste_client_secret_encrypted = crypto.EncryptedTextField(blank=True, editable=False)

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Chorus Pro subscription")

    def __str__(self) -> str:
        return f"{self.company} — {self.technical_login}"

    @sensitive_variables("raw")
    def set_password(self, raw: str) -> None:
        self.password_encrypted = crypto.encrypt(raw)
        self.password_set_at = timezone.now()
        self.password_expires_reported = None

    def get_password(self) -> str:
        return crypto.decrypt(self.password_encrypted)

    @sensitive_variables("raw")
    def set_piste_secret(self, raw: str) -> None:
        self.piste_client_secret_encrypted = crypto.encrypt(raw) if raw else ""

    def get_piste_secret(self) -> str:
        return crypto.decrypt(self.piste_client_secret_encrypted) if self.piste_client_secret_encrypted else ""

    @property
    def password_expires_at(self):
        """Chorus Pro's own date when known, else 12 months after the password was set."""
        if self.password_expires_reported:
            return self.password_expires_reported
        return self.password_set_at + PASSWORD_LIFETIME


class SubscriptionAuditEntry(models.Model):
    """One change to a company's subscription: who, when, which fields. Never the secret itself."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="subscription_audit")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=10, choices=Action.choices)
    changed_fields = models.JSONField(default=list)

    class Meta:
        ordering = ["-at", "-id"]


class PasswordReminder(models.Model):
    """One reminder e-mail about the technical password's expiry, recorded so that it is sent exactly once.

    ``stage`` is the number of days before expiry (30, 15, 7, 1) or 0 for "expired today or before". The unique
    constraint is what makes the reminder job safe to run twice, late, or on two machines at once.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="password_reminders")
    expires_on = models.DateField()
    stage = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "expires_on", "stage"], name="one_reminder_per_stage")
        ]
        ordering = ["-sent_at"]


class BuyerLookup(models.Model):
    """A public buyer's Chorus Pro data (rules, services) as last read, per company and environment."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="buyer_lookups")
    environment = models.CharField(max_length=20, choices=ChorusEnvironment.choices)
    siret = models.CharField(max_length=14)
    data = models.JSONField()  # chorusbat.chorus.buyers.BuyerInfo.to_json_dict()
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "environment", "siret"], name="one_lookup_per_buyer")
        ]
