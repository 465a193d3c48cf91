"""Compute KPI records: `manage.py compute_kpis [--date D | --start D --end D] [--store ID ...]`."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kpis.services import kpi_compute
from stores.models import Store
from zhilian.dates import command_day, command_range
from zhilian.errors import DomainError


class Command(BaseCommand):
    help = "Compute KPI records for a day (default yesterday) or a date range, for all active stores or some."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=command_day, help="One day, YYYY-MM-DD (default: yesterday).")
        parser.add_argument("--start", type=command_day, help="First day of a range.")
        parser.add_argument("--end", type=command_day, help="Last day of a range (default: yesterday).")
        parser.add_argument("--store", action="append", dest="stores", metavar="ID", nargs="+", help="Store ID(s).")
        parser.add_argument("--notify", action="store_true", help="Publish events and off-track notifications.")

    def handle(self, *args, date=None, start=None, end=None, stores=None, notify=False, **options):
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        if date and (start or end):
            raise CommandError("Give either --date or --start/--end.")
        if start or end:
            start, end = start or end, end or yesterday
        else:
            start = end = date or yesterday
        command_range(start, end)
        if end > timezone.localdate():
            raise CommandError("KPIs cannot be computed for a day in the future.")
        store_list = None
        if stores:
            ids = sorted({s for group in stores for s in group})
            store_list = list(Store.objects.filter(pk__in=ids))
            missing = set(ids) - {s.pk for s in store_list}
            if missing:
                raise CommandError(f"Unknown store(s): {', '.join(sorted(missing))}")
        began = time.perf_counter()
        try:
            written = kpi_compute(stores=store_list, start=start, end=end, notify=notify)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        elapsed = time.perf_counter() - began
        n_stores = len(store_list) if store_list is not None else Store.objects.filter(status="active").count()
        days = (end - start).days + 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Computed {written} KPI records for {n_stores} store(s) × {days} day(s) "
                f"({start.isoformat()}..{end.isoformat()}) in {elapsed:.2f}s."
            )
        )
