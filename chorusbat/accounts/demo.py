"""Demo data for `make run`: one company, an administrator and a member, a subscription matching the sandbox."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from chorusbat.accounts.chorus_access import sandbox_credentials
from chorusbat.accounts.models import ChorusSubscription, Company, Membership

DEMO_COMPANY = {
    "legal_name": "PEINTURES DU LITTORAL SARL",
    "siret": "73282932000074",
    "vat_number": "FR44732829320",
    "address_line1": "12 quai de la Fosse",
    "postcode": "44000",
    "city": "Nantes",
    "iban": "FR7630006000011234567890189",
    "bic": "AGRIFRPP",
    "legal_form": "SARL",
    "share_capital": Decimal("10000.00"),
    "rcs_city": "Nantes",
    "rcs_number": "732829320",
    "vat_regime": "encaissements",
    "default_payment_delay_days": 30,
}
DEMO_USERS = [
    # username, password, first name, last name, role
    ("admin", "chorusbat-admin", "Claire", "Martin", Membership.Role.ADMIN),
    ("chantier", "chorusbat-chantier", "Yann", "Le Goff", Membership.Role.MEMBER),
]


@transaction.atomic
def create_demo_data() -> dict:
    """Create (or find) the demo company and users; return what `make run` prints."""
    company, created = Company.objects.get_or_create(siret=DEMO_COMPANY["siret"], defaults=DEMO_COMPANY)
    legal = ("legal_form", "share_capital", "rcs_city", "rcs_number")
    if not created and not any(getattr(company, name) for name in legal):  # a demo database from before
        for name in legal:
            setattr(company, name, DEMO_COMPANY[name])
        company.save(update_fields=legal)
    User = get_user_model()
    users = []
    for username, password, first, last, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.fr"}
        )
        if created:
            user.set_password(password)
            user.save()
        Membership.objects.get_or_create(user=user, defaults={"company": company, "role": role})
        users.append({"username": username, "password": password, "role": role.label})

    creds = sandbox_credentials()
    technical = None
    if creds and creds.get("technical_accounts"):
        technical = creds["technical_accounts"][0]
        if not ChorusSubscription.objects.filter(company=company).exists():
            sub = ChorusSubscription(
                company=company,
                siret=company.siret,
                referent_email="comptabilite@example.fr",
                technical_login=technical["login"],
                environment="sandbox",
            )
            sub.set_password(technical["password"])
            sub.save()

    # The demo markets and situations sit above accounts: `chorusbat demo` (web) adds them, see
    # chorusbat.situations.demo.create_demo_markets.
    return {"company": company.legal_name, "siret": company.siret, "users": users, "technical_account": technical}
