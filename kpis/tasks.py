"""KPI jobs (zhilian.jobs): yesterday's records once the day is over, today's so far every 15 minutes.

Computing upserts a store-day's records, so a second run writes the same rows again (idempotent);
its notifications go out only for records that became off track, so a repeat sends none.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from celery import shared_task
from django.utils import timezone

from kpis.services import kpi_compute

logger = logging.getLogger(__name__)


def _compute(day: dt.date) -> dict:
    began = time.perf_counter()
    written = kpi_compute(start=day, end=day)
    elapsed = time.perf_counter() - began
    logger.info("KPIs for %s: %d record(s) written for every active store in %.2fs", day, written, elapsed)
    return {"date": day.isoformat(), "records": written}


@shared_task(name="kpis.compute_yesterday")
def compute_kpis_yesterday() -> dict:
    """Every active store's KPI records for yesterday (store time)."""
    return _compute(timezone.localdate() - dt.timedelta(days=1))


@shared_task(name="kpis.compute_today")
def compute_kpis_today() -> dict:
    """Every active store's KPI records for today so far; the dashboard's tiles follow (kpi.updated)."""
    return _compute(timezone.localdate())
