"""SQL expressions shared by the per-domain daily reads (orders, stock ledger, dashboard)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import DateField, F, Func, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from zhilian.dates import days_between, local_day_bounds


def local_date(field_name: str, start: dt.date, end: dt.date) -> Func:
    """The local date of a datetime column, for grouping rows of [start, end] by day.

    TruncDate(tzinfo=...) everywhere; on SQLite, when the zone's offset is the same over the whole
    range (always for Asia/Shanghai), SQLite's native ``date(col, '+N seconds')`` instead: Django
    implements the time-zone conversion there as a Python function called per row, which
    dominates the cost of a 90-day run.
    """
    tz = timezone.get_current_timezone()
    if connection.vendor == "sqlite":
        offsets = {local_day_bounds(day)[0].utcoffset() for day in days_between(start, end + dt.timedelta(days=1))}
        if len(offsets) == 1:
            seconds = int(offsets.pop().total_seconds())
            return Func(F(field_name), Value(f"{seconds:+d} seconds"), function="date", output_field=DateField())
    return TruncDate(field_name, tzinfo=tz)
