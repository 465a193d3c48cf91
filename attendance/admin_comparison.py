"""The "scheduled vs actual" admin page: per employee for a chosen day or week, the published
shifts' hours against the hours worked, lateness, early leave and no-shows, with totals; the
shifts of the range below. Read-only, from attendance.selectors.scheduled_vs_actual."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from attendance import selectors
from scheduling.admin_week import requested_day, requested_store
from zhilian import roles


def comparison_view(model_admin, request):
    if not roles.can(request.user, "actuals", "attendance.timeentry"):
        raise PermissionDenied
    store, stores = requested_store(request, request.GET.get("store"))
    day = requested_day(request, "date") or timezone.localdate()
    period = "week" if request.GET.get("period") == "week" else "day"
    start = day - dt.timedelta(days=day.weekday()) if period == "week" else day
    end = start + dt.timedelta(days=6) if period == "week" else day
    data = selectors.scheduled_vs_actual(store, start, end)
    for row in data["shifts"]:
        row["scheduled"] = (
            f"{timezone.localtime(row['scheduled_start']):%H:%M}–{timezone.localtime(row['scheduled_end']):%H:%M}"
        )
        row["actual"] = (
            f"{timezone.localtime(row['actual_start']):%H:%M}–"
            + (f"{timezone.localtime(row['actual_end']):%H:%M}" if row["actual_end"] else "…")
            if row["actual_start"]
            else "–"
        )
    step = dt.timedelta(days=7 if period == "week" else 1)
    base = reverse("admin:attendance_timeentry_scheduled_vs_actual")

    def link(**params) -> str:
        return f"{base}?{urlencode({'store': store.pk, 'date': day.isoformat(), 'period': period, **params})}"

    label = (
        date_format(start, "SHORT_DATE_FORMAT")
        if period == "day"
        else f"{date_format(start, 'SHORT_DATE_FORMAT')} – {date_format(end, 'SHORT_DATE_FORMAT')}"
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Scheduled vs actual"),
        "subtitle": None,
        "opts": model_admin.model._meta,
        "store": store,
        "stores": stores if roles.is_admin(request.user) else [],
        "period": period,
        "day": day,
        "range_label": label,
        "prev_url": link(date=(day - step).isoformat()),
        "next_url": link(date=(day + step).isoformat()),
        "day_url": link(period="day"),
        "week_url": link(period="week"),
        "employees": data["employees"],
        "totals": data["totals"],
        "shifts": data["shifts"],
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/attendance/scheduled_vs_actual.html", context)
