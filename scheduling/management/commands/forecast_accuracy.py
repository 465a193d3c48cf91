"""Measure the sales forecast against what happened: each day forecast only from the days before it."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from scheduling.forecast import FORECAST_WEEKS, forecast_accuracy
from stores.models import Store
from zhilian.dates import command_day


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


class Command(BaseCommand):
    help = (
        "Mean absolute percentage error of the sales forecast over the last --weeks weeks "
        "(daily revenue; hourly as the weighted error), per store and overall."
    )

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, default=4, help="weeks to score, ending --end (default 4)")
        parser.add_argument(
            "--history-weeks", type=int, default=FORECAST_WEEKS, help=f"same-weekday weeks (default {FORECAST_WEEKS})"
        )
        parser.add_argument("--end", type=command_day, help="last scored day (default: yesterday)")
        parser.add_argument("--store", action="append", dest="stores", metavar="STORE_ID", help="repeatable")

    def handle(self, *args, weeks=4, history_weeks=FORECAST_WEEKS, end=None, stores=None, **options):
        if not 1 <= weeks <= 52:
            raise CommandError("--weeks must be between 1 and 52.")
        if not 1 <= history_weeks <= 52:
            raise CommandError("--history-weeks must be between 1 and 52.")
        end = end or timezone.localdate() - dt.timedelta(days=1)
        start = end - dt.timedelta(weeks=weeks) + dt.timedelta(days=1)
        queryset = Store.objects.order_by("pk")
        if stores:
            queryset = queryset.filter(pk__in=stores)
            missing = sorted(set(stores) - set(queryset.values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"Unknown store(s): {', '.join(missing)}")
        result = forecast_accuracy(
            store_ids=list(queryset.values_list("pk", flat=True)), start=start, end=end, weeks=history_weeks
        )
        for store_id, figures in result["stores"].items():
            self.stdout.write(f"{store_id} {figures['days']} days, daily MAPE {_pct(figures['daily_mape'])}")
        self.stdout.write(
            f"{start}..{end} ({history_weeks} weeks of history): {result['days_scored']} store-days scored, "
            f"{result['days_without_history']} without history; daily revenue MAPE {_pct(result['daily_mape'])}, "
            f"hourly revenue WAPE {_pct(result['hourly_wape'])}"
        )
