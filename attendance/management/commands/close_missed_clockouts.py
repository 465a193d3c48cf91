"""Close the time entries nobody clocked out of, past their store's deadline, and flag them for
review (attendance.services.time_entries_close_missed). Idempotent: run it every few minutes."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from attendance.services import time_entries_close_missed


class Command(BaseCommand):
    help = "Close time entries still open past their store's automatic clock-out and flag them for review."

    def handle(self, *args, **options):
        closed = time_entries_close_missed()
        for entry in closed:
            self.stdout.write(f"closed {entry.pk} ({entry.employee_id}, {entry.business_date}) at {entry.clock_out_at}")
        self.stdout.write(f"missed clock-outs closed: {len(closed)}")
