"""KPI writes: the built-in definitions and computing (upserting) records.

What each metric means: `kpis.metrics`; targets, status, achievement, change and trend:
`kpis.rules`; the aggregates and the upsert: `kpis.compute`; the events and notifications a
computation sends after commit: `kpis.events`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from kpis.compute import compute_records, store_ids_of
from kpis.metrics import kpi_defaults
from kpis.models import KPI, KPIRecord
from stores.models import Store


def kpi_ensure_defaults(*, overwrite: bool = False) -> int:
    """Create the built-in KPIs that are missing; with `overwrite`, reset existing ones too.

    Without `overwrite` an edited target or threshold survives re-seeding. Returns the number of
    definitions written.
    """
    defaults = kpi_defaults()
    with transaction.atomic():
        if overwrite:
            update = [k for k in defaults[0] if k != "id"]
            KPI.objects.bulk_create(
                [KPI(**d) for d in defaults], update_conflicts=True, unique_fields=["id"], update_fields=update
            )
            return len(defaults)
        existing = set(KPI.objects.filter(pk__in=[d["id"] for d in defaults]).values_list("pk", flat=True))
        missing = [KPI(**d) for d in defaults if d["id"] not in existing]
        KPI.objects.bulk_create(missing, ignore_conflicts=True)
        return len(missing)


def kpi_compute_day(*, store: Store, day: dt.date, notify: bool = True) -> list[KPIRecord]:
    """Compute and upsert one store-day; returns its records (KPI and store loaded)."""
    with transaction.atomic():
        compute_records([store.pk], day, day, notify=notify)
        return list(
            KPIRecord.objects.filter(store=store, record_date=day, kpi__is_active=True)
            .select_related("kpi", "store")
            .order_by("kpi__category", "kpi_id")
        )


def kpi_compute(
    *,
    stores: Iterable[Store | str] | None = None,
    start: dt.date,
    end: dt.date | None = None,
    notify: bool = True,
) -> int:
    """Compute [start, end] (default: start only) for the stores (default: every active store).

    One pass of grouped queries covers the whole range; the records are upserted in bulk.
    Returns the number of records written.
    """
    end = end or start
    with transaction.atomic():
        return len(compute_records(store_ids_of(stores), start, end, notify=notify))
