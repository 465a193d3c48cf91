"""Attendance over the API. Writes go through attendance.services (called here or by the views)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from attendance import services
from attendance.models import BreakPeriod, PublicHoliday, TimeEntry, Timesheet
from stores.models import Employee
from zhilian.api.fields import DayField, MomentField
from zhilian.api.serializers import BaseModelSerializer, ModelSerializer

TIMESTAMPS = ["created_at", "updated_at"]


class BreakSerializer(ModelSerializer):
    class Meta:
        model = BreakPeriod
        fields = ["id", "started_at", "ended_at"]
        read_only_fields = fields


class TimeEntrySerializer(BaseModelSerializer):
    """A time entry; created and corrected by managers, always with `edit_reason` (kept in the
    audit trail); punches go through the punch endpoints."""

    employee_name = serializers.CharField(source="employee.name", read_only=True)
    breaks = BreakSerializer(many=True, read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    worked_hours = serializers.SerializerMethodField()
    break_seconds = serializers.IntegerField(min_value=0, max_value=86_400, required=False)
    edit_reason = serializers.CharField(max_length=255, required=True)

    class Meta:
        model = TimeEntry
        fields = [
            "id",
            "store",
            "employee",
            "employee_name",
            "shift",
            "business_date",
            "clock_in_at",
            "clock_out_at",
            "is_open",
            "break_seconds",
            "breaks",
            "worked_seconds",
            "worked_hours",
            "auto_closed",
            "needs_review",
            "clocked_in_by",
            "clocked_out_by",
            "edit_reason",
            "notes",
            *TIMESTAMPS,
        ]
        read_only_fields = TimeEntry.SERVER_OWNED_FIELDS

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_worked_hours(self, obj) -> float | None:
        return None if obj.worked_seconds is None else round(obj.worked_seconds / 3600, 2)

    def validate(self, attrs):
        if self.instance is None and attrs.get("clock_out_at") is None:
            raise serializers.ValidationError({"clock_out_at": [_("A time entry added by hand has a clock-out.")]})
        if self.instance is not None and "employee" in attrs and attrs["employee"].pk != self.instance.employee_id:
            raise serializers.ValidationError({"employee": [_("An entry stays with its employee.")]})
        return super().validate(attrs)

    def create(self, validated_data):
        return services.time_entry_create(user=self._user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("employee", None)
        return services.time_entry_update(time_entry=instance, user=self._user, **validated_data)


class PunchSerializer(serializers.Serializer):
    """A manager's punch for an employee of their store (`at`: another moment than now)."""

    employee = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.all(), error_messages={"does_not_exist": _("No such employee.")}
    )
    kind = serializers.ChoiceField(choices=services.PUNCH_KINDS)
    at = MomentField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        fields["employee"].queryset = Employee.objects.for_user(getattr(request, "user", None))
        return fields


class MyPunchSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class ClockStatusSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["clocked_out", "clocked_in", "on_break"])
    employee = serializers.CharField()
    employee_name = serializers.CharField()
    break_started_at = serializers.DateTimeField(allow_null=True)
    entry = TimeEntrySerializer(allow_null=True)


class ShiftActualSerializer(serializers.Serializer):
    shift = serializers.UUIDField()
    employee = serializers.CharField()
    employee_name = serializers.CharField()
    date = serializers.DateField()
    scheduled_start = serializers.DateTimeField()
    scheduled_end = serializers.DateTimeField()
    actual_start = serializers.DateTimeField(allow_null=True)
    actual_end = serializers.DateTimeField(allow_null=True)
    break_minutes = serializers.IntegerField()
    worked_hours = serializers.FloatField()
    late_minutes = serializers.IntegerField()
    early_leave_minutes = serializers.IntegerField()
    no_show = serializers.BooleanField()


class ComparisonDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    scheduled_hours = serializers.FloatField()
    scheduled_cost_cents = serializers.IntegerField()
    actual_hours = serializers.FloatField()
    actual_cost_cents = serializers.IntegerField()


class ComparisonEmployeeSerializer(serializers.Serializer):
    employee = serializers.CharField()
    employee_name = serializers.CharField()
    scheduled_hours = serializers.FloatField()
    scheduled_shifts = serializers.IntegerField()
    actual_hours = serializers.FloatField()
    time_entries = serializers.IntegerField()


class ComparisonSerializer(serializers.Serializer):
    days = ComparisonDaySerializer(many=True)
    employees = ComparisonEmployeeSerializer(many=True)


class TimesheetSerializer(BaseModelSerializer):
    """An employee's week: POST computes (or refreshes) the draft of `employee` and `week_start`."""

    employee_name = serializers.CharField(source="employee.name", read_only=True)
    week_start = DayField()
    days = serializers.JSONField(read_only=True)

    class Meta:
        model = Timesheet
        fields = [
            "id",
            "store",
            "employee",
            "employee_name",
            "week_start",
            "status",
            "worked_minutes",
            "regular_minutes",
            "overtime_workday_minutes",
            "overtime_rest_day_minutes",
            "overtime_holiday_minutes",
            "hourly_wage_cents",
            "gross_pay_cents",
            "days",
            "approved_by",
            "approved_at",
            *TIMESTAMPS,
        ]
        read_only_fields = Timesheet.SERVER_OWNED_FIELDS
        # Computing again refreshes the draft: no unique-together refusal.
        validators = []

    def create(self, validated_data):
        return services.timesheet_compute(
            employee=validated_data["employee"], week_start=validated_data["week_start"], user=self._user
        )


class ExportQuerySerializer(serializers.Serializer):
    store = serializers.CharField(required=False)
    week_start = DayField()
    file_type = serializers.ChoiceField(choices=["csv", "xlsx"], default="csv")


class ActualsQuerySerializer(serializers.Serializer):
    store = serializers.CharField(required=False)
    date_from = DayField()
    date_to = DayField()


class PublicHolidaySerializer(BaseModelSerializer):
    class Meta:
        model = PublicHoliday
        fields = ["id", "date", "name", "kind", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class ScheduledVsActualShiftSerializer(ShiftActualSerializer):
    scheduled_hours = serializers.FloatField()
    difference_hours = serializers.FloatField(help_text="worked - scheduled")


class ScheduledVsActualFiguresSerializer(serializers.Serializer):
    shifts = serializers.IntegerField()
    scheduled_hours = serializers.FloatField()
    worked_hours = serializers.FloatField(help_text="on scheduled shifts")
    unscheduled_hours = serializers.FloatField(help_text="worked without a shift")
    late_count = serializers.IntegerField()
    late_minutes = serializers.IntegerField()
    early_leave_count = serializers.IntegerField()
    early_leave_minutes = serializers.IntegerField()
    no_shows = serializers.IntegerField()
    difference_hours = serializers.FloatField(help_text="worked + unscheduled - scheduled")


class ScheduledVsActualEmployeeSerializer(ScheduledVsActualFiguresSerializer):
    employee = serializers.CharField()
    employee_name = serializers.CharField()


class ScheduledVsActualSerializer(serializers.Serializer):
    store = serializers.CharField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    employees = ScheduledVsActualEmployeeSerializer(many=True)
    totals = ScheduledVsActualFiguresSerializer()
    shifts = ScheduledVsActualShiftSerializer(many=True)
