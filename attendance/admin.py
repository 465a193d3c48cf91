"""Attendance in the admin: time entries (manager corrections with a reason, through the same
services as the API), weekly timesheets (compute, approve, export for payroll) and the holiday
calendar."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from attendance import admin_comparison, export, services
from attendance.models import BreakPeriod, PublicHoliday, TimeEntry, Timesheet
from attendance.resources import PayrollResource
from zhilian import roles
from zhilian.admin import ReadOnlyAdminMixin, ScopedModelAdmin, ScopedTabularInline, transition_action
from zhilian.admin.exports import default_resource
from zhilian.models import format_yuan


def _local_time(moment, day) -> str:
    """HH:MM in local time; another day than the entry's is shown with its date."""
    local = timezone.localtime(moment)
    return f"{local:%H:%M}" if local.date() == day else f"{local:%m-%d %H:%M}"


class BreakInline(ReadOnlyAdminMixin, ScopedTabularInline):
    model = BreakPeriod
    fields = ["started_at", "ended_at"]
    readonly_fields = fields
    show_change_link = False


class TimeEntryForm(forms.ModelForm):
    # Every change says why (kept on the entry and in its History); never prefilled with the last reason.
    edit_reason = forms.CharField(label=capfirst(_("reason")), max_length=255, required=True)

    class Meta:
        model = TimeEntry
        fields = ["employee", "shift", "clock_in_at", "clock_out_at", "break_seconds", "notes", "edit_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["edit_reason"] = ""
        # A view-only page (finance) has every field read-only, none on the form.
        if self.instance.pk and "employee" in self.fields:
            self.fields["employee"].disabled = True


@admin.register(TimeEntry)
class TimeEntryAdmin(ScopedModelAdmin):
    form = TimeEntryForm
    list_display = [
        "business_date",
        "employee_name",
        "clock_in",
        "clock_out",
        "break_minutes",
        "worked_hours",
        "scheduled",
        "needs_review",
    ]
    list_filter = ["needs_review", "auto_closed", "store", "business_date"]
    list_select_related = ["employee", "shift"]
    search_fields = ["employee__id", "employee__name", "edit_reason", "notes"]
    date_hierarchy = "business_date"
    autocomplete_fields = ["employee"]
    raw_id_fields = ["shift"]
    inlines = [BreakInline]
    readonly_fields = ["store", "business_date", "worked_seconds", "auto_closed", "needs_review",
                       "clocked_in_by", "clocked_out_by"]  # fmt: skip

    services = services
    create_service = "time_entry_create"
    update_service = "time_entry_update"
    service_fields = ("employee", "shift", "clock_in_at", "clock_out_at", "break_seconds", "notes", "edit_reason")

    def service_object_kwarg(self) -> str:
        return "time_entry"

    def get_urls(self):
        # The scheduled-vs-actual page (attendance/admin_comparison.py), before the "<id>/" patterns.
        view = self.admin_site.admin_view(lambda request: admin_comparison.comparison_view(self, request))
        return [
            path("scheduled-vs-actual/", view, name="attendance_timeentry_scheduled_vs_actual"),
            *super().get_urls(),
        ]

    def update_kwargs(self, request, obj, form, formsets):
        kwargs = super().update_kwargs(request, obj, form, formsets)
        kwargs["edit_reason"] = form.cleaned_data.get("edit_reason", "")
        kwargs.pop("employee", None)
        return kwargs

    def has_delete_permission(self, request, obj=None):
        return False  # entries are corrected, never removed

    @admin.display(description=_("employee"), ordering="employee__name")
    def employee_name(self, obj: TimeEntry) -> str:
        return obj.employee.name

    @admin.display(description=_("clock-in"), ordering="clock_in_at")
    def clock_in(self, obj: TimeEntry) -> str:
        return _local_time(obj.clock_in_at, obj.business_date)

    @admin.display(description=_("clock-out"), ordering="clock_out_at")
    def clock_out(self, obj: TimeEntry) -> str:
        return "…" if obj.clock_out_at is None else _local_time(obj.clock_out_at, obj.business_date)

    @admin.display(description=_("break (min)"), ordering="break_seconds")
    def break_minutes(self, obj: TimeEntry) -> int:
        return obj.break_seconds // 60

    @admin.display(description=_("worked (h)"), ordering="worked_seconds")
    def worked_hours(self, obj: TimeEntry) -> str:
        return "-" if obj.worked_seconds is None else f"{obj.worked_seconds / 3600:.2f}"

    @admin.display(description=_("scheduled"), boolean=True)
    def scheduled(self, obj: TimeEntry) -> bool:
        return obj.shift_id is not None


class TimesheetAddForm(forms.ModelForm):
    class Meta:
        model = Timesheet
        fields = ["employee", "week_start"]


def _export_action(fmt: str, description):
    def action(modeladmin, request, queryset):
        timesheets = (
            queryset.filter(status=Timesheet.Status.APPROVED)
            .select_related("employee", "approved_by")
            .order_by("store_id", "week_start", "employee_id")
        )
        body = export.as_xlsx(timesheets) if fmt == "xlsx" else export.as_csv(timesheets)
        response = HttpResponse(body, content_type=export.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="timesheets-{timezone.localdate():%Y-%m-%d}.{fmt}"'
        return response

    action.__name__ = f"export_{fmt}"
    return admin.action(description=description, permissions=["export"])(action)


@admin.register(Timesheet)
class TimesheetAdmin(ScopedModelAdmin):
    list_display = [
        "week_start",
        "employee_name",
        "status",
        "worked_hours",
        "regular_hours",
        "overtime_hours",
        "gross_pay",
        "approved_by",
    ]
    list_filter = ["status", "store", "week_start"]
    list_select_related = ["employee", "approved_by"]
    search_fields = ["employee__id", "employee__name"]
    date_hierarchy = "week_start"
    autocomplete_fields = ["employee"]
    readonly_fields = [*Timesheet.SERVER_OWNED_FIELDS]
    actions = ["approve_selected", "export_csv", "export_xlsx"]
    # The Export button: the rows as shown, or the payroll file of the approved ones.
    resource_classes = [default_resource(Timesheet), PayrollResource]

    services = services

    def create_service(self, *, employee, week_start, user, **_ignored):
        return services.timesheet_compute(employee=employee, week_start=week_start, user=user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = TimesheetAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["employee", "week_start"]
        return ["employee", "week_start", *Timesheet.SERVER_OWNED_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["employee", "week_start", *Timesheet.SERVER_OWNED_FIELDS]

    def has_change_permission(self, request, obj=None):
        # Shown, not edited: a draft is recomputed from the entries, an approved week is locked.
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_approve_permission(self, request) -> bool:
        return roles.can(request.user, services.APPROVE, "attendance.timesheet")

    def has_export_permission(self, request) -> bool:
        return roles.can(request.user, "export", "attendance.timesheet")

    approve_selected = transition_action(
        "timesheet_approve", None, _("Approve (locks the week's punches)"), permission="approve", done=_("approved")
    )
    export_csv = _export_action("csv", _("Export approved timesheets (CSV)"))
    export_xlsx = _export_action("xlsx", _("Export approved timesheets (XLSX)"))

    @admin.display(description=_("employee"), ordering="employee__name")
    def employee_name(self, obj: Timesheet) -> str:
        return obj.employee.name

    @admin.display(description=_("worked (h)"), ordering="worked_minutes")
    def worked_hours(self, obj: Timesheet) -> str:
        return f"{obj.worked_minutes / 60:.2f}"

    @admin.display(description=_("regular (h)"), ordering="regular_minutes")
    def regular_hours(self, obj: Timesheet) -> str:
        return f"{obj.regular_minutes / 60:.2f}"

    @admin.display(description=_("overtime (h)"))
    def overtime_hours(self, obj: Timesheet) -> str:
        total = obj.overtime_workday_minutes + obj.overtime_rest_day_minutes + obj.overtime_holiday_minutes
        return f"{total / 60:.2f}"

    @admin.display(description=_("gross pay"), ordering="gross_pay_cents")
    def gross_pay(self, obj: Timesheet) -> str:
        return format_yuan(obj.gross_pay_cents)


@admin.register(PublicHoliday)
class PublicHolidayAdmin(ScopedModelAdmin):
    list_display = ["date", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["date"]


admin.site.add_shortcut(
    "admin:attendance_timeentry_scheduled_vs_actual",
    _("Scheduled vs actual"),
    _("Scheduled hours against worked hours, lateness and no-shows, per employee"),
    permission="attendance.actuals_timeentry",
)
