"""Scheduling jobs (zhilian.jobs): next week's draft schedules.

Run on a set day (Thursday 06:00 by default) so managers have days to adjust and publish. Only a
store with no schedule at all for next week gets a draft: one a manager has started, generated or
published is theirs. So a second run finds every store done (idempotent), and two runs at once
queue on the store's row lock instead of both generating.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from scheduling.models import Schedule
from scheduling.services import schedule_generate_range
from stores.models import Store
from zhilian.errors import DomainError

logger = logging.getLogger(__name__)


def next_week(today: dt.date) -> tuple[dt.date, dt.date]:
    """Monday to Sunday of the week after the one `today` is in."""
    monday = today + dt.timedelta(days=7 - today.weekday())
    return monday, monday + dt.timedelta(days=6)


@shared_task(name="scheduling.draft_next_week")
def draft_next_week() -> dict:
    """Generate (unpublished) schedules for next week in every active store that has none."""
    start, end = next_week(timezone.localdate())
    drafted, skipped, failed = [], [], []
    for store_id in Store.objects.filter(status=Store.Status.ACTIVE).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            store = Store.objects.select_for_update().get(pk=store_id)
            if Schedule.objects.filter(store=store, schedule_date__range=(start, end)).exists():
                skipped.append(store_id)
                continue
            try:
                with transaction.atomic():
                    schedule_generate_range(store=store, start=start, end=end)
            except DomainError as exc:
                # One store's refusal (e.g. nothing to staff from) does not stop the others.
                logger.warning("next week's draft for %s: %s", store_id, exc.message)
                failed.append(store_id)
                continue
        drafted.append(store_id)
    logger.info(
        "next week's draft (%s..%s): %d store(s) drafted, %d already had a schedule, %d refused",
        start,
        end,
        len(drafted),
        len(skipped),
        len(failed),
    )
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "drafted": drafted,
        "skipped": skipped,
        "failed": failed,
    }
