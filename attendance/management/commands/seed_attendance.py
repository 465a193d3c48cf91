"""Demo attendance for the seeded stores: punches for their past published shifts, the holiday
calendar and the timesheets of the finished weeks (drafts), so the time clock's screens have
something to show after `manage.py seed`. Deterministic for a seed; idempotent (shifts that have
an entry already are skipped).

The punches are written in bulk, not through the punch services (thousands of rows at once, all in
the past); the timesheets through `timesheet_compute`.
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from attendance import overtime, services
from attendance.models import TimeEntry
from scheduling.models import Shift
from stores.models import Employee, Store
from zhilian.errors import Locked


class Command(BaseCommand):
    help = "Punches for the seeded stores' past published shifts, the holiday calendar and draft timesheets."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=14, help="How many past days get punches (default 14).")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--store", action="append", dest="stores", help="Store ID (default: the seeded stores).")

    def handle(self, *args, days: int, seed: int, stores: list[str] | None, **options):
        call_command("load_public_holidays", stdout=self.stdout)
        rng = random.Random(seed)
        today = timezone.localdate()
        start = today - dt.timedelta(days=max(1, days))
        store_ids = stores or list(Store.objects.filter(config__has_key="seed").values_list("pk", flat=True))
        shifts = (
            Shift.objects.filter(
                schedule__store_id__in=store_ids,
                schedule__is_published=True,
                schedule__schedule_date__range=(start, today - dt.timedelta(days=1)),
                time_entries__isnull=True,
            )
            .select_related("schedule", "employee")
            .order_by("starts_at", "employee_id")
        )
        entries = []
        for shift in shifts:
            if rng.random() < 0.03:  # a no-show
                continue
            clock_in = shift.starts_at + dt.timedelta(minutes=rng.choice([-10, -5, -3, 0, 0, 2, 5, 12]))
            extra = rng.choice([0, 0, 0, 0, 15, 30, 60, 90]) if rng.random() < 0.3 else rng.choice([-20, 0, 5, 10])
            clock_out = shift.ends_at + dt.timedelta(minutes=extra)
            break_seconds = 30 * 60 if (shift.ends_at - shift.starts_at) >= dt.timedelta(hours=6) else 0
            entries.append(
                TimeEntry(
                    store_id=shift.schedule.store_id,
                    employee_id=shift.employee_id,
                    shift=shift,
                    business_date=shift.schedule.schedule_date,
                    clock_in_at=clock_in,
                    clock_out_at=clock_out,
                    break_seconds=break_seconds,
                    worked_seconds=services.worked_seconds(clock_in, clock_out, break_seconds),
                )
            )
        with transaction.atomic():
            TimeEntry.objects.bulk_create(entries, batch_size=2000)
        # Draft timesheets of the finished weeks that have entries.
        last_monday = overtime.monday_of(today) - dt.timedelta(weeks=1)
        weeks = 0
        for employee in Employee.objects.filter(store_id__in=store_ids, time_entries__isnull=False).distinct():
            monday = overtime.monday_of(start)
            while monday <= last_monday:
                try:
                    services.timesheet_compute(employee=employee, week_start=monday)
                    weeks += 1
                except Locked:
                    pass  # approved already
                monday += dt.timedelta(weeks=1)
        self.stdout.write(f"attendance: {len(entries)} time entries, {weeks} draft timesheets")
