"""The index table: importing an INSEE series, and the In a market's situation takes from it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from chorusbat.contracts.insee import InseeSeries
from chorusbat.contracts.models import IndexValue


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def import_series(series: str, parsed: InseeSeries, user) -> ImportCounts:
    """Write every month of ``parsed`` under ``series``: new months are added, changed values (a provisional value
    made definitive, a revision) replace the stored ones."""
    counts = ImportCounts()
    existing = {row.month: row for row in IndexValue.objects.select_for_update().filter(series__iexact=series)}
    for point in parsed.points:
        row = existing.get(point.month)
        if row is None:
            IndexValue.objects.create(series=series, month=point.month, value=point.value,
                                      provisional=point.provisional, source=IndexValue.Source.IMPORT,
                                      updated_by=user)
            counts.created += 1
        elif row.value != point.value or row.provisional != point.provisional:
            row.value, row.provisional, row.source, row.updated_by = (
                point.value, point.provisional, IndexValue.Source.IMPORT, user)
            row.save()
            counts.updated += 1
        else:
            counts.unchanged += 1
    return counts


def shift_months(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class IndexLookup:
    series: str
    month: datetime.date  # the index month: the situation's period minus the market's lag
    value: Decimal | None = None  # None: missing from the table
    provisional: bool = False

    @property
    def missing(self) -> bool:
        return self.value is None


def index_for(market, period: datetime.date) -> IndexLookup | None:
    """The table's In for a situation of ``market`` over ``period``; None when the market is not revised or names
    no index series."""
    series = (market.revision_index_name or "").strip()
    if not market.is_revised or not series or period is None:
        return None
    month = shift_months(period.replace(day=1), market.revision_index_lag_months or 0)
    row = IndexValue.objects.filter(series__iexact=series, month=month).first()
    if row is None:
        return IndexLookup(series, month)
    return IndexLookup(series, month, row.value, row.provisional)


def series_known(market) -> bool:
    """The market's index series has at least one value in the table."""
    series = (market.revision_index_name or "").strip()
    return bool(series) and IndexValue.objects.filter(series__iexact=series).exists()
