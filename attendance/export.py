"""Approved timesheets for payroll as CSV and XLSX (one row per employee and week)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _

from attendance.models import Timesheet


def _hours(minutes: int) -> float:
    return round(minutes / 60, 2)


def _yuan(cents: int) -> float:
    return round(cents / 100, 2)


def headers() -> list[str]:
    return [
        _("Store"),
        _("Employee ID"),
        _("Employee"),
        _("Week (Monday)"),
        _("Worked hours"),
        _("Regular hours"),
        _("Workday overtime hours (1.5×)"),
        _("Rest-day overtime hours (2×)"),
        _("Holiday overtime hours (3×)"),
        _("Hourly wage (¥)"),
        _("Gross pay (¥)"),
        _("Approved by"),
        _("Approved at"),
    ]


def rows(timesheets: Iterable[Timesheet]) -> list[list]:
    return [
        [
            ts.store_id,
            ts.employee_id,
            ts.employee.name,
            ts.week_start.isoformat(),
            _hours(ts.worked_minutes),
            _hours(ts.regular_minutes),
            _hours(ts.overtime_workday_minutes),
            _hours(ts.overtime_rest_day_minutes),
            _hours(ts.overtime_holiday_minutes),
            _yuan(ts.hourly_wage_cents),
            _yuan(ts.gross_pay_cents),
            ts.approved_by.get_username() if ts.approved_by else "",
            ts.approved_at.isoformat() if ts.approved_at else "",
        ]
        for ts in timesheets
    ]


def as_csv(timesheets: Iterable[Timesheet]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    writer.writerows(rows(timesheets))
    # A BOM, so that Excel opens the Chinese names as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(timesheets: Iterable[Timesheet]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Timesheets")[:31]
    sheet.append(headers())
    for row in rows(timesheets):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def filename(store_id: str, week_start, fmt: str) -> str:
    return f"timesheets-{store_id}-{week_start:%Y-%m-%d}.{fmt}"
