"""What every background job shares (docs/architecture.md, "Jobs"): the base task class (retries,
time limits, the failure notification) and the default schedule that beat runs.

Jobs live in each app's `tasks.py` and stay thin: they call the app's service, log what it did and
return a small JSON summary. Every job is idempotent, because a job may run twice: acknowledged
late (a worker lost mid-job hands it to another), retried after a transient error, or sent by beat
again after an admin edits its schedule.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from celery import Task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

logger = logging.getLogger(__name__)

# Errors worth trying again: the database or the broker went away or refused for a moment
# (a restart, a failover, a dropped connection, a deadlock or serialization failure, which
# Django reports as OperationalError). Anything else is a bug or bad data: retrying cannot help.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    BrokerOperationalError,
    ConnectionError,
    TimeoutError,
)


class JobTask(Task):
    """The base class of every task (zhilian/celery.py names it `task_cls`)."""

    autoretry_for = TRANSIENT_ERRORS
    max_retries = 5
    # Exponential back-off, 5 s, 10 s, 20 s ... capped at 10 minutes, each drawn at random below
    # its bound (jitter) so jobs that failed together do not all come back together.
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    soft_time_limit = 300
    time_limit = 360

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        """The job failed for good (retries exhausted, or an error that is not retried): tell the
        admins in the notification center. A failure to notify is logged, never raised over the
        job's own error."""
        logger.error("job %s [%s] failed: %r", self.name, task_id, exc)
        try:
            job_failure_notify(task=self.name, task_id=task_id, error=exc, retries=self.request.retries or 0)
        except Exception:
            logger.exception("job %s [%s]: the failure notification could not be written", self.name, task_id)


# A job that keeps failing (the sweep runs every 10 minutes) tells the admins once per this period,
# until one of them reads it; every failure is still logged.
FAILURE_NOTICE_QUIET = dt.timedelta(hours=1)


def job_failure_notify(*, task: str, task_id: str | None, error: BaseException, retries: int = 0) -> int:
    """One critical notification per active admin saying which job failed and why; returns how many
    (0 while an unread notice of the same job, younger than FAILURE_NOTICE_QUIET, stands)."""
    from django.utils import timezone

    from notifications.models import Notification
    from notifications.services import chain_admins, notification_create

    message = f"{type(error).__name__}: {error}"[:1000]
    # Not airtight (two failures at the same instant may both notify): a duplicate is harmless.
    if Notification.objects.filter(
        kind=Notification.Kind.SYSTEM,
        data__task=task,
        read_at__isnull=True,
        created_at__gte=timezone.now() - FAILURE_NOTICE_QUIET,
    ).exists():
        logger.warning("job %s [%s]: the admins were already told of a failure within the hour", task, task_id)
        return 0
    rows = notification_create(
        recipients=chain_admins(),
        kind=Notification.Kind.SYSTEM,
        level=Notification.Level.CRITICAL,
        title=f"Background job failed: {task}"[:200],
        body=f"{message}\n(after {retries} retr{'y' if retries == 1 else 'ies'}; task id {task_id})",
        data={"task": task, "task_id": task_id, "error": message, "retries": retries},
    )
    return len(rows)


# --- the default schedule -------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One periodic task as beat runs it by default; admins may edit or disable it in the admin."""

    name: str
    task: str
    description: str
    crontab: dict[str, str]


# Crontab fields read in the stores' time zone (CELERY_TIMEZONE = TIME_ZONE).
DEFAULT_SCHEDULE: tuple[Entry, ...] = (
    Entry(
        "kpis: yesterday",
        "kpis.compute_yesterday",
        "Yesterday's KPI records for every active store, once the day is over.",
        {"minute": "0", "hour": "4"},
    ),
    Entry(
        "kpis: today",
        "kpis.compute_today",
        "Today's KPI records so far for every active store (the dashboard's tiles follow).",
        {"minute": "*/15"},
    ),
    Entry(
        "reservations: no-show sweep",
        "reservations.mark_no_shows",
        "Reservations past their time plus ZHILIAN_NO_SHOW_GRACE_MINUTES become no-shows.",
        {"minute": "*/10"},
    ),
    Entry(
        "inventory: low-stock scan",
        "inventory.scan_low_stock",
        "Re-derive every item's stock status; alerts managers about items that got worse.",
        {"minute": "5"},
    ),
    Entry(
        "attendance: missed clock-outs",
        "attendance.close_missed_clockouts",
        "Time entries open past their store's automatic clock-out are closed and flagged for review.",
        {"minute": "*/10"},
    ),
    Entry(
        "scheduling: next week's draft",
        "scheduling.draft_next_week",
        "Draft schedules for next week (Monday to Sunday) for stores that have none yet.",
        {"minute": "0", "hour": "6", "day_of_week": "4"},
    ),
    Entry(
        "digests: daily",
        "digests.send_daily",
        "Yesterday's digest (revenue, labor %, food cost %, no-shows, stock-outs, exceptions) to daily subscribers.",
        {"minute": "0", "hour": "7"},
    ),
    Entry(
        "digests: weekly",
        "digests.send_weekly",
        "Last week's digest to weekly subscribers, on Mondays.",
        {"minute": "30", "hour": "7", "day_of_week": "1"},
    ),
)


def schedule_ensure_defaults(*, periodic_task_model, crontab_model, reset: bool = False) -> dict[str, Any]:
    """Create the default periodic tasks that are missing (by name); with `reset`, put existing
    ones back to their default schedule and enable them.

    Takes the models as arguments so the data migration can pass its historical ones. An entry an
    admin edited or disabled is left as it is unless `reset`. Returns the names created and reset.
    """
    from django.conf import settings

    created, reset_names = [], []
    for entry in DEFAULT_SCHEDULE:
        fields = {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
        fields.update(entry.crontab)
        crontab = crontab_model.objects.filter(timezone=settings.TIME_ZONE, **fields).order_by("pk").first()
        if crontab is None:
            crontab = crontab_model.objects.create(timezone=settings.TIME_ZONE, **fields)
        defaults = {"task": entry.task, "crontab": crontab, "description": entry.description, "enabled": True}
        task = periodic_task_model.objects.filter(name=entry.name).first()
        if task is None:
            periodic_task_model.objects.create(name=entry.name, **defaults)
            created.append(entry.name)
        elif reset:
            for field, value in defaults.items():
                setattr(task, field, value)
            task.interval = task.solar = task.clocked = None
            task.save()
            reset_names.append(entry.name)
    return {"created": created, "reset": reset_names}
