"""The week grid: the manager's scheduling screen in the admin (ScheduleAdmin's `week/` URLs).

Employees by position × the seven days of an ISO week, their shifts and days off, the generation
gaps (unfilled demand) in their own row, daily totals under the grid (scheduling.selectors:
week_footer_rows), generate and publish for the week, and a small page per cell that adds, edits
or deletes a shift through scheduling.services, the same functions as the API, with a refusal
shown on that page's form. Store scoping: the store must be visible to the user (`for_user`);
another store's id answers 404 like an unknown one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from scheduling import exchange_selectors, selectors, services
from scheduling.models import LeaveRequest, Schedule, Shift
from stores.models import Employee, Store
from zhilian import roles
from zhilian.admin import add_domain_error
from zhilian.dates import day_problem
from zhilian.errors import DomainError
from zhilian.models import format_yuan

# The generation report's codes (scheduling.demand, scheduling.assignment) as words.
REPORT_WORDS = {
    "history": _("from the order history"),
    "minimum_staffing": _("minimum staffing"),
    "morning": _("morning"),
    "lunch": _("lunch"),
    "afternoon": _("afternoon"),
    "dinner": _("dinner"),
    "late_night": _("late night"),
    "no_staff_in_position": _("no staff in this position"),
    "staff_unavailable": _("staff unavailable"),
}

FOOTER_LABELS = {
    "hours": _("Scheduled hours"),
    "labor_cost": _("Labor cost"),
    "forecast_sales": _("Forecast sales"),
    "labor_percent": _("Labor % of forecast sales"),
    "open_heads": _("Unfilled shifts"),
    "open_hours": _("Unfilled position-hours"),
    "coverage": _("Coverage"),
}


def week_url(store_id: str, day: dt.date, anchor: str = "") -> str:
    query = urlencode({"store": store_id, "week": selectors.week_days(day)[0].isoformat()})
    return f"{reverse('admin:scheduling_schedule_week')}?{query}{anchor}"


def cell_url(store_id: str, day: dt.date, *, employee_id: str | None = None, shift_id=None, base: str = "") -> str:
    params = {"store": store_id, "day": day.isoformat()}
    if employee_id is not None:
        params["employee"] = employee_id
    if shift_id is not None:
        params["shift"] = str(shift_id)
    return f"{base or reverse('admin:scheduling_schedule_week_shift')}?{urlencode(params)}"


def day_label(day: dt.date) -> str:
    # Translated Django date format: "Mon 12/7", "星期一 12月7日".
    return date_format(day, pgettext("week grid day (Django date format)", "D n/j"))


def requested_store(request, value: str | None) -> tuple[Store, list[Store]]:
    """The visible store `value` names (a non-admin's own by default, an admin's first); 404 for
    a store the user may not see, exactly as for one that does not exist."""
    user = request.user
    stores = list(Store.objects.for_user(user).order_by("pk").only("pk", "name"))
    if not value:
        # A one-store user's own store; someone who sees several (admins, area managers) the first.
        value = user.store_id or (stores[0].pk if stores else None)
    store = next((s for s in stores if s.pk == value), None)
    if store is None:
        raise Http404(gettext("No such store."))
    return store, stores


def requested_day(request, name: str) -> dt.date | None:
    value = request.GET.get(name) or ""
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        return None
    return None if day_problem(day) else day


def _format(kind: str, value: Any) -> str:
    if value is None:
        return "–"
    if kind == "yuan":
        return format_yuan(int(value))
    if kind == "percent":
        return f"{float(value):.0%}"
    if kind == "count":
        return str(int(value))
    return f"{float(value):.1f}"


def footer_display(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "key": row["key"],
            "label": row.get("label") or FOOTER_LABELS.get(row["key"], row["key"]),
            "target": _format(row["kind"], row["target"]) if row.get("target") is not None else None,
            "values": [_format(row["kind"], v) for v in row["values"]],
            "total": _format(row["kind"], row["total"]),
        }
        for row in rows
    ]


def _publishable(request) -> bool:
    return roles.can(request.user, "publish", "scheduling.schedule")


def _generatable(request) -> bool:
    return roles.can(request.user, "generate", "scheduling.schedule")


def week_view(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    store, stores = requested_store(request, request.GET.get("store") or request.POST.get("store"))
    day = requested_day(request, "week") or timezone.localdate()
    days = selectors.week_days(day)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "generate":
            _generate(model_admin, request, store, days)
        elif action == "publish":
            # One day (its header's button) or the whole week.
            if not request.POST.get("day"):
                _publish(model_admin, request, store, days)
            elif (one := _posted_day(request, days)) is not None:
                _publish(model_admin, request, store, [one, one])
            else:
                model_admin.message_user(request, gettext("That day is not in this week."), level=messages.ERROR)
        return HttpResponseRedirect(week_url(store.pk, days[0]))

    grid = selectors.week_grid(store_id=store.pk, day=days[0], user=request.user)
    schedules = grid["schedules"]
    can_add = roles.can(request.user, "add", "scheduling.shift")
    can_change = roles.can(request.user, "change", "scheduling.shift")
    position_labels = dict(Employee.Position.choices)
    type_labels = dict(Shift.Type.choices)
    leave_labels = dict(LeaveRequest.Type.choices)
    columns = []
    for d in days:
        schedule = schedules.get(d)
        published = bool(schedule and schedule["is_published"])
        columns.append(
            {
                "day": d,
                "iso": d.isoformat(),
                "label": day_label(d),
                "is_today": d == timezone.localdate(),
                "weekend": d.weekday() >= 5,
                "published": published,
                "exists": schedule is not None,
                "schedule_url": reverse("admin:scheduling_schedule_change", args=[schedule["id"]]) if schedule else "",
            }
        )
    base = reverse("admin:scheduling_schedule_week_shift")  # once, not per cell
    for group in grid["groups"]:
        group["label"] = position_labels.get(group["position"], group["position"])
        for employee in group["employees"]:
            for cell, column in zip(employee["cells"], columns, strict=True):
                editable = not column["published"]
                cell["iso"], cell["weekend"] = column["iso"], column["weekend"]
                if cell["leave"]:
                    cell["leave_label"] = leave_labels.get(cell["leave"]["leave_type"], "")
                    cell["leave_pending"] = cell["leave"]["status"] == LeaveRequest.Status.PENDING
                cell["add_url"] = (
                    cell_url(store.pk, cell["day"], employee_id=employee["id"], base=base)
                    if editable and can_add and employee["is_active"]
                    else ""
                )
                for shift in cell["shifts"]:
                    shift["type_label"] = type_labels.get(shift["shift_type"], shift["shift_type"])
                    shift["other_position"] = (
                        position_labels.get(shift["position"], shift["position"])
                        if shift["position"] and shift["position"] != employee["position"]
                        else ""
                    )
                    editable_shift = editable and can_change
                    shift["url"] = (
                        cell_url(store.pk, cell["day"], shift_id=shift["id"], base=base) if editable_shift else ""
                    )
                    shift["times"] = f"{shift['start_time']:%H:%M}–{shift['end_time']:%H:%M}"
    open_shifts = [
        [
            {
                **gap,
                "position_label": position_labels.get(gap.get("position"), gap.get("position")),
                # The reason in words (the stored report keeps its code).
                "reason_label": REPORT_WORDS.get(gap.get("reason", ""), gap.get("reason", "")),
                "missing": max(int(gap.get("needed", 0)) - int(gap.get("filled", 0)), 0),
            }
            for gap in gaps
        ]
        for gaps in grid["open_shifts"]
    ]
    unpublished = [c for c in columns if c["exists"] and not c["published"]]
    context = {
        **model_admin.admin_site.each_context(request),
        # The grid needs the page's whole width.
        "is_nav_sidebar_enabled": False,
        "title": _("Week grid"),
        "subtitle": None,
        "opts": model_admin.model._meta,
        "store": store,
        "stores": stores if roles.sees_several_stores(request.user) else [],
        "days": days,
        "week_label": f"{date_format(days[0], 'SHORT_DATE_FORMAT')} – {date_format(days[-1], 'SHORT_DATE_FORMAT')}",
        "week_param": days[0].isoformat(),
        "columns": columns,
        "groups": grid["groups"],
        "open_rows": list(zip(columns, open_shifts, strict=True)),
        "has_open_shifts": any(open_shifts),
        # Posted and generated open shifts (claimable by staff), one row per position.
        "open_shift_rows": exchange_selectors.week_open_shifts(store_id=store.pk, days=days, user=request.user),
        "footer": footer_display(grid["footer"]),
        "prev_url": week_url(store.pk, days[0] - dt.timedelta(days=7)),
        "next_url": week_url(store.pk, days[0] + dt.timedelta(days=7)),
        "this_week_url": week_url(store.pk, timezone.localdate()),
        "can_generate": _generatable(request),
        "can_publish": _publishable(request),
        "published_days": sum(1 for c in columns if c["published"]),
        "unpublished_days": len(unpublished),
        "employee_count": sum(len(g["employees"]) for g in grid["groups"]),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/scheduling/schedule/week.html", context)


def _posted_day(request, days: list[dt.date]) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(request.POST.get("day") or "")
    except ValueError:
        return None
    return day if day in days else None


def _generate(model_admin, request, store: Store, days: list[dt.date]) -> None:
    if not _generatable(request):
        raise PermissionDenied
    results = model_admin.call_service(
        request, services.schedule_generate_range, store=store, start=days[0], end=days[-1], user=request.user
    )
    if results is None:
        return
    generated = [report for _schedule, report in results if "skipped" not in report]
    skipped = len(results) - len(generated)
    demanded = sum(r.get("demanded_hours", 0) for r in generated)
    filled = sum(r.get("filled_hours", 0) for r in generated)
    gaps = sum(len(r.get("gaps", [])) for r in generated)
    message = gettext("Generated %(days)d day(s): coverage %(coverage).0f%%, %(gaps)d gap(s).") % {
        "days": len(generated),
        "coverage": 100 * filled / demanded if demanded else 100,
        "gaps": gaps,
    }
    if skipped:
        message += " " + gettext("%(count)d published day(s) kept as they are.") % {"count": skipped}
    model_admin.message_user(request, message, level=messages.WARNING if gaps else messages.SUCCESS)


def _publish(model_admin, request, store: Store, days: list[dt.date]) -> None:
    if not _publishable(request):
        raise PermissionDenied
    pending = list(
        Schedule.objects.for_user(request.user)
        .filter(store=store, schedule_date__range=(days[0], days[-1]), is_published=False)
        .order_by("schedule_date")
    )
    if not pending:
        model_admin.message_user(request, gettext("Nothing to publish."), level=messages.WARNING)
        return
    done = 0
    for schedule in pending:
        try:
            with transaction.atomic():
                services.schedule_publish(schedule=schedule, user=request.user)
        except DomainError as exc:
            model_admin.message_user(
                request, f"{day_label(schedule.schedule_date)}: {exc.message}", level=messages.ERROR
            )
        else:
            done += 1
    if done:
        model_admin.message_user(
            request,
            gettext("Published %(count)d day(s); the staff are notified.") % {"count": done},
            level=messages.SUCCESS,
        )


# --- the cell: add, edit or delete one shift ------------------------------------------------------


def _field_label(name: str):
    return Shift._meta.get_field(name).verbose_name


class CellShiftForm(forms.Form):
    employee = forms.ModelChoiceField(queryset=Employee.objects.none(), label=_field_label("employee"))
    start_time = forms.TimeField(
        label=_field_label("start_time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_field_label("end_time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("At or before the start: the shift ends the next day."),
    )
    shift_type = forms.ChoiceField(
        label=_field_label("shift_type"),
        choices=[("", _("from the start time")), *Shift.Type.choices],
        required=False,
    )
    position = forms.ChoiceField(
        label=_field_label("position"),
        choices=[("", _("the employee's own")), *Employee.Position.choices],
        required=False,
    )
    notes = forms.CharField(label=_field_label("notes"), max_length=255, required=False)

    def __init__(self, *args, employees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = employees
        self.fields["employee"].label_from_instance = lambda e: f"{e.name} ({e.get_position_display()})"


def _schedule_for(store: Store, day: dt.date, user) -> Schedule:
    """The store's schedule of `day`, created (through the service) when the day has none yet."""
    schedule = Schedule.objects.filter(store=store, schedule_date=day).first()
    if schedule is None:
        try:
            with transaction.atomic():
                schedule = services.schedule_create(store=store, schedule_date=day, user=user)
        except DomainError:
            # Created meanwhile by someone else: use theirs.
            schedule = Schedule.objects.get(store=store, schedule_date=day)
    return schedule


def _back(request, url: str) -> HttpResponse:
    """Back to the grid: a redirect, or for the grid's dialog (week.js) a 204 naming the grid."""
    if request.headers.get("X-Week-Dialog") == "1":
        return HttpResponse(status=204, headers={"X-Week-Location": url})
    return HttpResponseRedirect(url)


def shift_cell_view(model_admin, request):
    user = request.user
    shift = None
    if request.GET.get("shift"):
        try:
            shift = (
                Shift.objects.for_user(user)
                .select_related("schedule", "schedule__store", "employee")
                .get(pk=request.GET["shift"])
            )
        except (Shift.DoesNotExist, ValueError, DomainError, forms.ValidationError):
            raise Http404(gettext("No such shift.")) from None
        store, day = shift.schedule.store, shift.schedule.schedule_date
        if not roles.can(user, "change", "scheduling.shift"):
            raise PermissionDenied
    else:
        if not roles.can(user, "add", "scheduling.shift"):
            raise PermissionDenied
        store, _stores = requested_store(request, request.GET.get("store"))
        day = requested_day(request, "day")
        if day is None:
            raise Http404(gettext("Name a day as YYYY-MM-DD."))
    back = week_url(store.pk, day)
    published = Schedule.objects.filter(store=store, schedule_date=day, is_published=True).exists()
    if published:
        model_admin.message_user(request, gettext("The schedule is published; its shifts are frozen."), messages.ERROR)
        return _back(request, back)

    employees = Employee.objects.for_user(user).filter(store=store, is_active=True).order_by("position", "name")
    if shift is not None:
        employees = (
            Employee.objects.for_user(user)
            .filter(store=store)
            .filter(pk__in=[*employees.values_list("pk", flat=True), shift.employee_id])
            .order_by("position", "name")
        )
    employee = shift.employee if shift is not None else employees.filter(pk=request.GET.get("employee")).first()

    if shift is not None:
        initial = {
            "employee": shift.employee_id,
            "start_time": shift.start_time,
            "end_time": shift.end_time,
            "shift_type": shift.shift_type,
            "position": shift.position if shift.position != shift.employee.position else "",
            "notes": shift.notes,
        }
    else:
        opening = store.hours_on(day.weekday())
        initial = {"employee": employee.pk if employee else None}
        if opening:
            initial["start_time"], initial["end_time"] = opening[0][0], opening[0][1]

    form = CellShiftForm(request.POST or None, initial=initial, employees=employees)
    if request.method == "POST":
        if "delete" in request.POST and shift is not None:
            if not roles.can(user, "delete", "scheduling.shift"):
                raise PermissionDenied
            try:
                services.shift_delete(shift=shift, user=user)
            except DomainError as exc:
                form.is_valid()
                add_domain_error(form, exc)
            else:
                model_admin.message_user(request, gettext("The shift is deleted."), messages.SUCCESS)
                return _back(request, back)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                # One transaction: a refused shift leaves no new empty schedule behind.
                with transaction.atomic():
                    if shift is None:
                        services.shift_create(
                            schedule=_schedule_for(store, day, user),
                            employee=data["employee"],
                            start_time=data["start_time"],
                            end_time=data["end_time"],
                            shift_type=data["shift_type"] or None,
                            position=data["position"],
                            notes=data["notes"],
                            user=user,
                        )
                    else:
                        changes = {
                            "employee": data["employee"],
                            "start_time": data["start_time"],
                            "end_time": data["end_time"],
                            "shift_type": data["shift_type"],
                            "position": data["position"] or data["employee"].position,
                            "notes": data["notes"],
                        }
                        changes = {k: v for k, v in changes.items() if getattr(shift, k) != v}
                        if changes:
                            services.shift_update(shift=shift, user=user, **changes)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                model_admin.message_user(request, gettext("The shift is saved."), messages.SUCCESS)
                return _back(request, back)

    # The employee's other shifts that day, to edit them from here too.
    others = []
    if employee is not None:
        others = list(
            Shift.objects.for_user(user)
            .filter(employee=employee, schedule__store=store, schedule__schedule_date=day)
            .exclude(pk=shift.pk if shift else None)
            .order_by("starts_at")
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Edit shift") if shift else _("Add a shift"),
        "subtitle": None,
        "opts": model_admin.model._meta,
        "form": form,
        "shift": shift,
        "store": store,
        "day": day,
        "day_label": date_format(day, pgettext("shift page day (Django date format)", "l, F j, Y")),
        "employee": employee,
        "others": [(s, cell_url(store.pk, day, shift_id=s.pk)) for s in others],
        "back_url": back,
        "can_delete": shift is not None and roles.can(user, "delete", "scheduling.shift"),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/scheduling/schedule/week_shift.html", context)
