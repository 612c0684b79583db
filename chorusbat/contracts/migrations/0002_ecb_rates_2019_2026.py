"""The ECB main refinancing rate on the first day of each half-year, 2019–2026 (docs/late-payment-interest.md).

Source: ECB « Key ECB interest rates » (main refinancing operations, fixed rate). The 2026 values are to be
checked by an administrator (see the document). Existing rows are left as they are (an administrator's
correction wins).
"""

import datetime
from decimal import Decimal

from django.db import migrations

RATES = {
    **{datetime.date(year, month, 1): Decimal("0.00") for year in range(2019, 2023) for month in (1, 7)},
    datetime.date(2023, 1, 1): Decimal("2.50"),
    datetime.date(2023, 7, 1): Decimal("4.00"),
    datetime.date(2024, 1, 1): Decimal("4.50"),
    datetime.date(2024, 7, 1): Decimal("4.25"),
    datetime.date(2025, 1, 1): Decimal("3.15"),
    datetime.date(2025, 7, 1): Decimal("2.15"),
    datetime.date(2026, 1, 1): Decimal("2.15"),
    datetime.date(2026, 7, 1): Decimal("2.15"),
}


def ship(apps, schema_editor):
    EcbRate = apps.get_model("contracts", "EcbRate")
    for half_year, rate in RATES.items():
        EcbRate.objects.get_or_create(half_year=half_year, defaults={"rate": rate})


def unship(apps, schema_editor):
    EcbRate = apps.get_model("contracts", "EcbRate")
    for half_year, rate in RATES.items():
        EcbRate.objects.filter(half_year=half_year, rate=rate, updated_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_ecb_rates_and_index_values")]
    operations = [migrations.RunPython(ship, unship)]
