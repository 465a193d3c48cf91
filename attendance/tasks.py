"""Attendance jobs (zhilian.jobs): close the time entries nobody clocked out of. A second run finds
nothing left to close (the entries it closed are closed)."""

from __future__ import annotations

import logging

from celery import shared_task

from attendance.services import time_entries_close_missed

logger = logging.getLogger(__name__)


@shared_task(name="attendance.close_missed_clockouts")
def close_missed_clockouts() -> dict:
    """Entries open past their store's automatic clock-out are closed and flagged for review."""
    closed = time_entries_close_missed()
    logger.info("missed clock-outs: %d entr%s closed and flagged", len(closed), "y" if len(closed) == 1 else "ies")
    return {"closed": len(closed)}
