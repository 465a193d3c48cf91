"""Scheduling reads other apps use (docs/architecture.md: multi-table reads live in selectors)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from scheduling.models import Schedule
from scheduling.services import schedules_with_labor


def daily_labor(store_ids: Iterable[str], start: dt.date, end: dt.date) -> QuerySet:
    """One row per schedule (store_id, schedule_date) over [start, end], published or not, with
    total_seconds and labor_cost_cents of its shifts, as scheduling reports them (one query)."""
    return (
        schedules_with_labor(Schedule.objects.filter(store_id__in=store_ids, schedule_date__range=(start, end)))
        .order_by()
        .values("store_id", "schedule_date", "total_seconds", "labor_cost_cents")
    )
