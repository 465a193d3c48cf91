"""Dates, date ranges and local business days: the one parser every filter, query parameter,
form and service uses.

Business days (orders, stock, shifts, reservations, KPIs) lie between `EARLIEST_DAY` and
`LATEST_DAY`. The bound is what keeps date arithmetic safe: a day before or after it can be
shifted by a year, turned into local midnight, converted to UTC and rendered without overflowing
(`date.max + 1 day`, `0001-01-01T00:00+08:00` in UTC) and without the local-mean-time offsets
that time zones carry before 1901. Dates of record that are only stored and compared (a store's
opening, a hire) may lie back to `EARLIEST_RECORD_DATE`.

Out-of-bounds and malformed input is an `InvalidInput` naming the field (HTTP 400) in services, a
`ValidationError` in forms, filters and serializers: never a 500.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhilian.errors import InvalidInput

EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2099, 12, 31)
EARLIEST_RECORD_DATE = dt.date(1900, 1, 1)


def bounds_message(earliest: dt.date = EARLIEST_DAY, latest: dt.date = LATEST_DAY) -> str:
    return str(_("Choose a date between %(earliest)s and %(latest)s.") % {"earliest": earliest, "latest": latest})


def day_problem(day: object, *, earliest: dt.date = EARLIEST_DAY, latest: dt.date = LATEST_DAY) -> str | None:
    """Why `day` is not an acceptable date, or None."""
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        return str(_("Enter a date as YYYY-MM-DD."))
    if not earliest <= day <= latest:
        return bounds_message(earliest, latest)
    return None


def check_day(
    day: object, field: str = "date", *, earliest: dt.date = EARLIEST_DAY, latest: dt.date = LATEST_DAY
) -> dt.date:
    """`day` itself when it is a date within the bounds; InvalidInput naming `field` otherwise."""
    problem = day_problem(day, earliest=earliest, latest=latest)
    if problem:
        raise InvalidInput({field: problem})
    return day  # type: ignore[return-value]


def parse_day(value: str | dt.date | None, field: str = "date", *, default: dt.date | None = None) -> dt.date:
    """A day from an ISO string (``2026-11-26``) or a date, within the bounds."""
    if value is None or value == "":
        if default is None:
            raise InvalidInput({field: str(_("This field is required."))})
        return check_day(default, field)
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput({field: str(_("Enter a date as YYYY-MM-DD."))}) from None
    return check_day(value, field)


def command_day(value: str) -> dt.date:
    """`parse_day` for management command arguments (`type=command_day`): a bad day is a usage error."""
    try:
        return parse_day(value, "date")
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(f"{value!r}: {exc.errors['date'][0]}") from None


def check_range(
    start: dt.date,
    end: dt.date,
    *,
    start_field: str = "start",
    end_field: str = "end",
    max_days: int | None = None,
) -> tuple[dt.date, dt.date]:
    """(start, end), both within the bounds, end not before start, at most `max_days` days long."""
    errors = {}
    for field, day in ((start_field, start), (end_field, end)):
        if problem := day_problem(day):
            errors[field] = problem
    if errors:
        raise InvalidInput(errors)
    if end < start:
        raise InvalidInput({end_field: str(_("The end date is before the start date."))})
    if max_days is not None and (end - start).days + 1 > max_days:
        raise InvalidInput({end_field: str(_("Choose at most %(days)d days.") % {"days": max_days})})
    return start, end


def requested_range(
    start: dt.date | None,
    end: dt.date | None,
    *,
    default_days: int,
    max_days: int | None = None,
    start_field: str = "start",
    end_field: str = "end",
) -> tuple[dt.date, dt.date]:
    """The range a report asks for: `end` defaults to today (local), `start` to the first of
    `default_days` days ending at `end`; then `check_range`."""
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=default_days - 1)
    return check_range(start, end, start_field=start_field, end_field=end_field, max_days=max_days)


def command_range(start: dt.date, end: dt.date, *, max_days: int | None = None) -> tuple[dt.date, dt.date]:
    """`check_range` for management commands' --start/--end: a refused range is a CommandError."""
    try:
        return check_range(start, end, start_field="--start", end_field="--end", max_days=max_days)
    except InvalidInput as exc:
        raise CommandError(exc.message) from None


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every day of [start, end]."""
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def local_midnight(day: dt.date) -> dt.datetime:
    """The first moment of `day` in the current (the stores') time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def local_day_bounds(start: dt.date, end: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """[local midnight of `start`, local midnight after `end`) as aware datetimes."""
    return local_midnight(start), local_midnight((end or start) + dt.timedelta(days=1))


def moment_problem(value: object) -> str | None:
    """Why `value` is not an acceptable moment (an aware datetime on a business day), or None."""
    if not isinstance(value, dt.datetime):
        return str(_("Enter a date and time in ISO 8601."))
    if timezone.is_aware(value):
        try:
            value = timezone.localtime(value)
        except (OverflowError, ValueError):
            return bounds_message()
    return day_problem(value.date())


# --- times of day -------------------------------------------------------------------------------

# "HH:MM" from 00:00 to 23:59, and 24:00 for the end of the day (a store open until midnight).
HHMM_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def parse_hhmm(value: str) -> int:
    """Minutes since midnight of an "HH:MM" time of day (business hours, shift periods);
    "24:00" is 1440. ValueError for anything else."""
    if not isinstance(value, str) or not HHMM_RE.match(value):
        raise ValueError(f"not a time of day as HH:MM: {value!r}")
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


# --- form fields: what filters and admin forms parse with ---------------------------------------


class DayFormField(forms.DateField):
    """A date within the bounds (business days unless told otherwise)."""

    def __init__(self, *args, earliest: dt.date = EARLIEST_DAY, latest: dt.date = LATEST_DAY, **kwargs):
        self.earliest, self.latest = earliest, latest
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        if problem := day_problem(value, earliest=self.earliest, latest=self.latest):
            raise ValidationError(problem, code="date_out_of_range")


class RecordDateFormField(DayFormField):
    """A date of record (an opening, a hire): stored and compared, never shifted."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("earliest", EARLIEST_RECORD_DATE)
        super().__init__(*args, **kwargs)


class MomentFormField(forms.DateTimeField):
    """A date and time on a business day."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except (OverflowError, ValueError):
            raise ValidationError(bounds_message(), code="date_out_of_range") from None

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        if problem := moment_problem(value):
            raise ValidationError(problem, code="date_out_of_range")
