"""Reservation jobs (zhilian.jobs): the no-show sweep. A second run finds nothing left to mark."""

from __future__ import annotations

import logging

from celery import shared_task

from reservations.services import reservation_mark_no_shows

logger = logging.getLogger(__name__)


@shared_task(name="reservations.mark_no_shows")
def mark_no_shows() -> dict:
    """Reservations past their time plus ZHILIAN_NO_SHOW_GRACE_MINUTES become no-shows."""
    count = reservation_mark_no_shows()
    logger.info("no-show sweep: %d reservation(s) marked no-show", count)
    return {"no_shows": count}
