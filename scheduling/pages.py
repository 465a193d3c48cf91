"""The signed-in employee's own shifts as a page ("my shifts", /my-shifts/): readable on a phone,
linked from the dashboard and the admin index. Confirming a shift calls the same service as the API."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from scheduling import exchange_selectors, services
from scheduling.models import OpenShift, Shift
from stores.models import Employee
from zhilian.errors import DomainError

# How far ahead the list reaches.
AHEAD_DAYS = 28


def _employee(user) -> Employee | None:
    return Employee.objects.filter(user=user).select_related("store").first()


@never_cache
@login_required
def my_shifts(request):
    user = request.user
    employee = _employee(user)
    today = timezone.localdate()
    days = []
    total_hours = 0.0
    if employee is not None:
        shifts = (
            Shift.objects.for_user(user)
            .filter(
                employee=employee,
                ends_at__gte=timezone.now(),
                schedule__schedule_date__lte=today + dt.timedelta(days=AHEAD_DAYS),
            )
            .select_related("schedule")
            .order_by("starts_at")
        )
        positions = dict(Employee.Position.choices)
        for day, items in groupby(shifts, key=lambda s: s.schedule.schedule_date):
            items = list(items)
            for shift in items:
                shift.position_label = positions.get(shift.position, shift.position)
            total_hours += sum(s.hours for s in items)
            days.append(
                {
                    "day": day,
                    "label": date_format(day, pgettext("my shifts day (Django date format)", "l, F j")),
                    "is_today": day == today,
                    "shifts": items,
                }
            )
    open_shifts = exchange_selectors.claimable_open_shifts(user, employee, days_ahead=AHEAD_DAYS) if employee else []
    for open_shift in open_shifts:
        open_shift.position_label = Employee.Position(open_shift.position).label
    context = {
        "employee": employee,
        "open_shifts": open_shifts,
        "days": days,
        "total_hours": total_hours,
        "ahead_days": AHEAD_DAYS,
        "back_url": reverse("admin:index") if user.is_staff else reverse("dashboard"),
    }
    return render(request, "scheduling/my_shifts.html", context)


@require_POST
@login_required
def my_shift_confirm(request, pk):
    employee = _employee(request.user)
    shift = Shift.objects.for_user(request.user).filter(pk=pk, employee=employee).first() if employee else None
    if shift is None:
        raise Http404(_("No such shift."))
    try:
        services.shift_confirm(shift=shift, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Shift confirmed."))
    return HttpResponseRedirect(reverse("my-shifts"))


@require_POST
@login_required
def my_open_shift_claim(request, pk):
    """Claim an open shift from "my shifts" (the same service as the API's claim)."""
    employee = _employee(request.user)
    open_shift = OpenShift.objects.for_user(request.user).filter(pk=pk).first() if employee else None
    if open_shift is None:
        raise Http404(_("No such open shift."))
    try:
        claimed = services.open_shift_claim(actor=request.user, open_shift=open_shift, employee=employee)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if claimed.status == OpenShift.Status.PENDING_APPROVAL:
            messages.success(request, _("Claimed; a manager will approve it."))
        else:
            messages.success(request, _("The shift is yours."))
    return HttpResponseRedirect(reverse("my-shifts"))
