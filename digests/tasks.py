"""Digest jobs (zhilian.jobs): the daily digest of yesterday (07:00) and the weekly one of last week
(Monday 07:30), to every active subscriber. A digest is logged once per (user, period) under a
unique constraint, so a second run of the job sends nothing again (digests.services.digest_send)."""

from __future__ import annotations

import logging
import time

from celery import shared_task

from digests.models import DigestSubscription, Frequency
from digests.services import digest_period, digest_send, may_subscribe

logger = logging.getLogger(__name__)


def send_digests(frequency: str) -> dict:
    began = time.perf_counter()
    period = digest_period(frequency)
    sent = skipped = 0
    subscriptions = DigestSubscription.objects.filter(frequency=frequency, user__is_active=True).select_related("user")
    for subscription in subscriptions.order_by("pk"):
        user = subscription.user
        if not may_subscribe(user):  # the role changed since: no digest
            skipped += 1
            continue
        log = digest_send(user=user, frequency=frequency, period=period, language=subscription.language)
        if log is None:
            skipped += 1
        else:
            sent += 1
    logger.info(
        "%s digests for %s..%s: %d sent, %d skipped in %.2fs",
        frequency,
        period.start,
        period.end,
        sent,
        skipped,
        time.perf_counter() - began,
    )
    return {"period_start": period.start.isoformat(), "sent": sent, "skipped": skipped}


@shared_task(name="digests.send_daily")
def send_daily_digests() -> dict:
    """Yesterday's digest to the daily subscribers."""
    return send_digests(Frequency.DAILY)


@shared_task(name="digests.send_weekly")
def send_weekly_digests() -> dict:
    """Last week's digest to the weekly subscribers."""
    return send_digests(Frequency.WEEKLY)
