"""Tasks that exist only for the job tests (zhilian/tests/test_jobs*.py): one that fails with a
transient error a given number of times before doing real work, one that always fails."""

from __future__ import annotations

from collections import Counter

from celery import shared_task
from django.db import OperationalError

from reservations.services import reservation_mark_no_shows

# Attempts per key, in this process (the embedded worker is a thread of the test session).
ATTEMPTS: Counter = Counter()


@shared_task(bind=True, name="zhilian.tests.flaky_sweep", retry_backoff=1, retry_backoff_max=2, max_retries=2)
def flaky_sweep(self, key: str, failures: int) -> dict:
    """Fails `failures` times with a transient database error, then runs the no-show sweep."""
    ATTEMPTS[key] += 1
    if ATTEMPTS[key] <= failures:
        raise OperationalError(f"server closed the connection unexpectedly (attempt {ATTEMPTS[key]})")
    return {"no_shows": reservation_mark_no_shows(), "attempts": ATTEMPTS[key], "retries": self.request.retries}


@shared_task(name="zhilian.tests.broken")
def broken(key: str) -> None:
    """A bug, not a transient error: never retried."""
    ATTEMPTS[key] += 1
    raise ValueError(f"bad data in job {key}")
