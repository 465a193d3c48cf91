"""Generate shift schedules from expected demand for stores and days; published days are left alone."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from scheduling import demand, services
from stores.models import Store
from zhilian.dates import command_day, command_range
from zhilian.errors import DomainError


class Command(BaseCommand):
    help = "Generate schedules (default: every active store, the next 7 days) and print coverage per store-day."

    def add_arguments(self, parser):
        parser.add_argument("--store", action="append", dest="stores", metavar="STORE_ID", help="repeatable")
        parser.add_argument("--start", type=command_day, help="first day (default: tomorrow)")
        parser.add_argument("--end", type=command_day, help="last day (default: start + 6 days)")
        parser.add_argument("--weeks", type=int, default=demand.HISTORY_WEEKS, help="weeks of order history")

    def handle(self, *args, stores=None, start=None, end=None, weeks=demand.HISTORY_WEEKS, **options):
        start = start or timezone.localdate() + dt.timedelta(days=1)
        end = end or start + dt.timedelta(days=6)
        command_range(start, end, max_days=services.MAX_RANGE_DAYS)
        if not 1 <= weeks <= 52:
            raise CommandError("--weeks must be between 1 and 52.")
        queryset = Store.objects.order_by("pk")
        if stores:
            queryset = queryset.filter(pk__in=stores)
            missing = sorted(set(stores) - set(queryset.values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"Unknown store(s): {', '.join(missing)}")
        else:
            queryset = queryset.filter(status=Store.Status.ACTIVE)

        generated = skipped = 0
        for store in queryset:
            try:
                results = services.schedule_generate_range(store=store, start=start, end=end, weeks=weeks)
            except DomainError as exc:
                self.stderr.write(f"{store.pk}: {exc.message}")
                continue
            for schedule, report in results:
                if report.get("skipped"):
                    skipped += 1
                    self.stdout.write(f"{store.pk} {schedule.schedule_date} skipped (published)")
                    continue
                generated += 1
                if report["closed"]:
                    self.stdout.write(f"{store.pk} {schedule.schedule_date} closed")
                    continue
                gaps = ", ".join(f"{g['period']}/{g['position']} {g['filled']}/{g['needed']}" for g in report["gaps"])
                self.stdout.write(
                    f"{store.pk} {schedule.schedule_date} coverage {report['coverage']:.0%} "
                    f"({report['filled_hours']:g}/{report['demanded_hours']:g} h, {report['shifts']} shifts, "
                    f"{report['staff']} staff, basis {report['basis']})" + (f" gaps: {gaps}" if gaps else "")
                )
        self.stdout.write(self.style.SUCCESS(f"{generated} day(s) generated, {skipped} published day(s) skipped."))
