"""Schedules in the admin: shifts inline, labor totals per row, generate and publish as actions.

Shift edits go through scheduling.services (same checks as the API): the forms run
``services.shift_check`` so a refused edit is a form error, and saving calls the services.
"""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from scheduling import admin_leave, admin_week, selectors, services  # noqa: F401 (admin_leave registers)
from scheduling.admin_week import REPORT_WORDS
from scheduling.models import Schedule, Shift
from stores.models import Employee
from zhilian import roles
from zhilian.admin import ScopedModelAdmin, ScopedTabularInline, add_domain_error, transition_action
from zhilian.errors import DomainError
from zhilian.models import format_yuan

WEEKDAY_LABELS = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
SHIFT_FIELDS = ["employee", "position", "shift_type", "start_time", "end_time", "is_completed", "notes"]


class ShiftInlineFormSet(BaseInlineFormSet):
    """Validates the whole day at once: against the database and against the other rows."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        schedule = self.instance
        if schedule.is_published:
            raise ValidationError(_("The schedule is published; its shifts are frozen."))
        if not schedule.schedule_date or not schedule.store_id:
            return
        # Every existing row of this formset is re-checked as a pending row, so exclude them from the DB side.
        replaced = [f.instance.pk for f in self.forms if f.instance.pk and not f.instance._state.adding]
        pending = defaultdict(list)
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or self._should_delete_form(form):
                continue
            employee, start, end = data.get("employee"), data.get("start_time"), data.get("end_time")
            if employee is None or start is None or end is None:
                continue
            try:
                starts, ends = services.shift_check(
                    schedule=schedule,
                    employee=employee,
                    start_time=start,
                    end_time=end,
                    exclude=replaced,
                    pending=pending[employee.pk],
                    position=data.get("position") or "",
                )
            except DomainError as exc:
                add_domain_error(form, exc)
                continue
            pending[employee.pk].append((schedule.schedule_date, starts, ends))


class ShiftInline(ScopedTabularInline):
    model = Shift
    formset = ShiftInlineFormSet
    fields = [*SHIFT_FIELDS, "is_confirmed"]
    readonly_fields = ["is_confirmed"]
    autocomplete_fields = ["employee"]
    ordering = ["starts_at", "employee"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("employee")

    # A published schedule is frozen: its shifts are shown, not edited.
    def _editable(self, obj) -> bool:
        return obj is None or not obj.is_published

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(Schedule)
class ScheduleAdmin(ScopedModelAdmin):
    list_display = [
        "schedule_date",
        "store",
        "is_published",
        "staff",
        "hours",
        "labor_cost",
        "coverage",
        "published_at",
    ]
    list_filter = ["is_published", "store"]
    list_select_related = ["store"]
    search_fields = ["store__id", "store__name", "notes"]
    date_hierarchy = "schedule_date"
    autocomplete_fields = ["store"]
    inlines = [ShiftInline]
    actions = ["generate_selected", "publish_selected"]

    class Media:
        css = {"all": ["scheduling/budget.css"]}

    # The generation report is shown summarised (report_summary), not as raw JSON.
    fields = [
        "store",
        "schedule_date",
        "notes",
        "is_published",
        "published_by",
        "published_at",
        "report_summary",
        "labor_budget",
    ]
    readonly_fields = [*Schedule.SERVER_OWNED_FIELDS, "report_summary", "labor_budget"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**selectors.labor_annotations())

    def get_urls(self):
        # The week grid and its cell page (scheduling/admin_week.py), before the "<id>/" patterns.
        view = self.admin_site.admin_view
        return [
            path("week/", view(lambda request: admin_week.week_view(self, request)), name="scheduling_schedule_week"),
            path(
                "week/shift/",
                view(lambda request: admin_week.shift_cell_view(self, request)),
                name="scheduling_schedule_week_shift",
            ),
            *super().get_urls(),
        ]

    def get_readonly_fields(self, request, obj=None):
        # A schedule stays on its store and day; make another one for another day.
        if obj is not None:
            return ["store", "schedule_date", *self.readonly_fields]
        return self.readonly_fields

    @admin.display(description=_("staff"), ordering="total_staff")
    def staff(self, obj: Schedule) -> int:
        return getattr(obj, "total_staff", 0)

    @admin.display(description=_("hours"), ordering="total_seconds")
    def hours(self, obj: Schedule) -> str:
        return f"{(getattr(obj, 'total_seconds', 0) or 0) / 3600:.1f}"

    @admin.display(description=_("labor cost"), ordering="labor_cost_cents")
    def labor_cost(self, obj: Schedule) -> str:
        return format_yuan(getattr(obj, "labor_cost_cents", 0))

    @admin.display(description=_("coverage"))
    def coverage(self, obj: Schedule) -> str:
        value = (obj.generation_report or {}).get("coverage")
        return "-" if value is None else f"{value:.0%}"

    @admin.display(description=_("generation report"))
    def report_summary(self, obj: Schedule) -> str:
        report = obj.generation_report or {}
        if not report:
            return "-"
        # Worded in the reader's language: the stored report keeps codes (basis, period, position,
        # reason), named here through the same labels as elsewhere.
        positions = dict(Employee.Position.choices)
        lines = [
            gettext("coverage %(coverage)s: %(filled)s of %(demanded)s position-hours (%(basis)s)")
            % {
                "coverage": f"{report.get('coverage', 0):.0%}",
                "filled": report.get("filled_hours"),
                "demanded": report.get("demanded_hours"),
                "basis": REPORT_WORDS.get(report.get("basis"), report.get("basis")),
            }
        ]
        for gap in report.get("gaps", []):
            words = {
                "period": REPORT_WORDS.get(gap["period"], gap["period"]),
                "position": positions.get(gap["position"], gap["position"]),
                "filled": gap["filled"],
                "needed": gap["needed"],
                "start": gap["start"],
                "end": gap["end"],
                "reason": REPORT_WORDS.get(gap.get("reason", ""), gap.get("reason", "")),
                "short": f"{gap['short_hours']:g}" if gap.get("short_hours") else "",
            }
            if words["short"]:
                line = gettext(
                    "gap: %(period)s %(position)s %(filled)s/%(needed)s %(start)s-%(end)s "
                    "(%(reason)s, %(short)s h short)"
                )
            else:
                line = gettext("gap: %(period)s %(position)s %(filled)s/%(needed)s %(start)s-%(end)s (%(reason)s)")
            lines.append(line % words)
        return "\n".join(lines)

    @admin.display(description=_("labor budget"))
    def labor_budget(self, obj: Schedule) -> str:
        """The week's forecast sales, hours, labor cost and labor % against the target, per day."""
        if obj is None or obj.pk is None:
            return "-"
        budget = selectors.schedule_budget(schedule=obj)

        def percent(value) -> str:
            return "-" if value is None else f"{value}%"

        def cells(label, row) -> tuple:
            return (
                label,
                format_yuan(row["forecast_sales_cents"]),
                f"{row['scheduled_hours']:g}",
                format_yuan(row["labor_cost_cents"]),
                percent(row["labor_percent"]),
                percent(row["target_labor_percent"]),
            )

        rows = [cells(f"{r['date']:%m-%d} {WEEKDAY_LABELS[r['date'].weekday()]}", r) for r in budget["days"]]
        rows.append(cells(_("Week"), budget["week"]))
        head = format_html_join(
            "",
            "<th>{}</th>",
            (
                (label,)
                for label in (
                    _("Day"),
                    _("Forecast sales"),
                    _("Scheduled hours"),
                    _("Labor cost"),
                    _("Labor %"),
                    _("Target"),
                )
            ),
        )
        body = format_html_join(
            "", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((c,) for c in r)),) for r in rows)
        )
        return format_html(
            '<div class="labor-budget-wrap"><table class="labor-budget"><thead><tr>{}</tr></thead>'
            "<tbody>{}</tbody></table></div>",
            head,
            body,
        )

    # Writes through the services (the same checks as the API); a refusal is a form error.
    services = services
    create_service = "schedule_create"
    update_service = "schedule_update"
    delete_service = "schedule_delete"
    service_fields = ("store", "schedule_date", "notes")

    def save_formset(self, request, form, formset, change):
        if formset.model is not Shift:
            return super().save_formset(request, form, formset, change)
        # The formset validated the day (shift_check); the services check again under their locks,
        # and a refusal undoes the whole save.
        formset.save(commit=False)
        schedule = form.instance
        for shift in formset.deleted_objects:
            services.shift_delete(shift=shift, user=request.user)
        for shift, changed in formset.changed_objects:
            changes = {name: getattr(shift, name) for name in changed if name in SHIFT_FIELDS}
            if changes:
                services.shift_update(shift=shift, user=request.user, **changes)
        for shift in formset.new_objects:
            services.shift_create(
                schedule=schedule, user=request.user, **{name: getattr(shift, name) for name in SHIFT_FIELDS}
            )
        return None

    def has_generate_permission(self, request) -> bool:
        return roles.can(request.user, "generate", "scheduling.schedule")

    def has_publish_permission(self, request) -> bool:
        return roles.can(request.user, "publish", "scheduling.schedule")

    @admin.action(description=_("Generate for these dates (unpublished only)"), permissions=["generate"])
    def generate_selected(self, request, queryset):
        done = 0
        for schedule in queryset.select_related("store").order_by("store_id", "schedule_date"):
            if schedule.is_published:
                self.message_user(request, _("%s is published; skipped.") % schedule, level=messages.WARNING)
                continue
            result = self.call_service(
                request, services.schedule_generate, store=schedule.store, day=schedule.schedule_date, user=request.user
            )
            if result is not None:
                _schedule, report = result
                done += 1
                level = messages.SUCCESS if not report["gaps"] else messages.WARNING
                self.message_user(
                    request,
                    _("%(schedule)s: coverage %(coverage).0f%%, %(gaps)d gap(s).")
                    % {"schedule": schedule, "coverage": report["coverage"] * 100, "gaps": len(report["gaps"])},
                    level=level,
                )

    publish_selected = transition_action(
        "schedule_publish", None, _("Publish and notify the staff"), permission="publish", done=_("published")
    )


class ShiftAdminForm(forms.ModelForm):
    class Meta:
        model = Shift
        fields = ["schedule", *SHIFT_FIELDS]

    def clean(self):
        data = super().clean()
        schedule, employee = data.get("schedule"), data.get("employee")
        start, end = data.get("start_time"), data.get("end_time")
        if self.instance.pk and not self.instance._state.adding and self.instance.schedule.is_published:
            raise ValidationError(_("The schedule is published; its shifts are frozen."))
        if schedule is not None and schedule.is_published:
            self.add_error("schedule", _("The schedule is published; its shifts are frozen."))
            return data
        if schedule is None or employee is None or start is None or end is None:
            return data
        exclude = [self.instance.pk] if self.instance.pk and not self.instance._state.adding else []
        try:
            services.shift_check(
                schedule=schedule,
                employee=employee,
                start_time=start,
                end_time=end,
                exclude=exclude,
                position=data.get("position") or "",
            )
        except DomainError as exc:
            add_domain_error(self, exc)
        return data


@admin.register(Shift)
class ShiftAdmin(ScopedModelAdmin):
    form = ShiftAdminForm
    list_display = [
        "schedule_date",
        "store",
        "employee",
        "position",
        "shift_type",
        "start_time",
        "end_time",
        "shift_hours",
        "is_confirmed",
        "is_completed",
    ]
    list_filter = ["shift_type", "is_confirmed", "is_completed", "position", "schedule__store"]
    list_select_related = ["schedule", "schedule__store", "employee"]
    search_fields = ["employee__name", "employee__id", "schedule__store__name", "position", "notes"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["schedule", "employee"]
    readonly_fields = Shift.SERVER_OWNED_FIELDS

    @admin.display(description=_("date"), ordering="schedule__schedule_date")
    def schedule_date(self, obj: Shift):
        return obj.schedule.schedule_date

    @admin.display(description=_("store"), ordering="schedule__store")
    def store(self, obj: Shift):
        return obj.schedule.store

    @admin.display(description=_("hours"))
    def shift_hours(self, obj: Shift) -> str:
        return f"{obj.hours:.1f}"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.schedule.is_published:
            return ["schedule", *SHIFT_FIELDS, *self.readonly_fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.schedule.is_published:
            return False
        return super().has_delete_permission(request, obj)

    services = services
    create_service = "shift_create"
    update_service = "shift_update"
    delete_service = "shift_delete"
    service_fields = ("schedule", *SHIFT_FIELDS)


admin.site.add_shortcut(
    "admin:scheduling_schedule_week",
    _("Week grid"),
    _("Shifts of the week, by employee and day: generate, edit, publish"),
    permission="scheduling.view_schedule",
)
admin.site.add_shortcut("my-shifts", _("My shifts"), _("Your upcoming shifts"))
