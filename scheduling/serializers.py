"""Schedules and shifts over the API. Writes go through scheduling.services (called by the views)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from scheduling import demand, services
from scheduling.models import Schedule, Shift
from stores.models import Store
from zhilian import roles
from zhilian.api.fields import DayField
from zhilian.api.serializers import BaseModelSerializer, ModelSerializer
from zhilian.dates import check_range


class ShiftSerializer(BaseModelSerializer):
    store = serializers.CharField(source="schedule.store_id", read_only=True)
    schedule_date = DayField(source="schedule.schedule_date", read_only=True)
    employee_name = serializers.CharField(source="employee.name", read_only=True)
    hours = serializers.SerializerMethodField()
    shift_type = serializers.ChoiceField(choices=Shift.Type.choices, required=False)

    class Meta:
        model = Shift
        fields = [
            "id",
            "schedule",
            "store",
            "schedule_date",
            "employee",
            "employee_name",
            "position",
            "shift_type",
            "start_time",
            "end_time",
            "starts_at",
            "ends_at",
            "hours",
            "is_confirmed",
            "confirmed_at",
            "is_completed",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = Shift.SERVER_OWNED_FIELDS

    @extend_schema_field(serializers.FloatField())
    def get_hours(self, obj) -> float:
        return round(obj.hours, 2)

    def validate(self, attrs):
        # The model requires a type; a hand-made shift without one takes it from its start time.
        if self.instance is None and not attrs.get("shift_type") and attrs.get("start_time"):
            attrs["shift_type"] = demand.shift_type_for(attrs["start_time"])
        return super().validate(attrs)


class ShiftInScheduleSerializer(ModelSerializer):
    """A shift as nested in its schedule (read only)."""

    employee_name = serializers.CharField(source="employee.name", read_only=True)
    hours = serializers.SerializerMethodField()

    class Meta:
        model = Shift
        fields = [
            "id",
            "employee",
            "employee_name",
            "position",
            "shift_type",
            "start_time",
            "end_time",
            "starts_at",
            "ends_at",
            "hours",
            "is_confirmed",
            "confirmed_at",
            "is_completed",
            "notes",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField())
    def get_hours(self, obj) -> float:
        return round(obj.hours, 2)


class ScheduleSerializer(BaseModelSerializer):
    shifts = ShiftInScheduleSerializer(many=True, read_only=True)
    total_staff = serializers.IntegerField(read_only=True, default=0)
    total_hours = serializers.SerializerMethodField()
    labor_cost_cents = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Schedule
        fields = [
            "id",
            "store",
            "schedule_date",
            "is_published",
            "published_by",
            "published_at",
            "notes",
            "total_staff",
            "total_hours",
            "labor_cost_cents",
            "generation_report",
            "shifts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = Schedule.SERVER_OWNED_FIELDS

    @extend_schema_field(serializers.FloatField())
    def get_total_hours(self, obj) -> float:
        return round((getattr(obj, "total_seconds", 0) or 0) / 3600, 2)


class GenerateSerializer(serializers.Serializer):
    """One day (`date`) or a range (`start_date` + `end_date`, at most 31 days)."""

    store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.all(), required=False)
    date = DayField(required=False)
    start_date = DayField(required=False)
    end_date = DayField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        fields["store"].queryset = Store.objects.for_user(getattr(request, "user", None))
        return fields

    def validate(self, attrs):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if "store" not in attrs:
            if user is None or roles.is_admin(user) or not user.store_id:
                raise serializers.ValidationError({"store": ["This field is required."]})
            attrs["store"] = Store.objects.get(pk=user.store_id)
        single = "date" in attrs
        ranged = "start_date" in attrs or "end_date" in attrs
        if single == ranged:
            raise serializers.ValidationError({"date": ["Give either `date` or both `start_date` and `end_date`."]})
        if ranged:
            if "start_date" not in attrs or "end_date" not in attrs:
                raise serializers.ValidationError({"end_date": ["Give both `start_date` and `end_date`."]})
            check_range(
                attrs["start_date"],
                attrs["end_date"],
                start_field="start_date",
                end_field="end_date",
                max_days=services.MAX_RANGE_DAYS,
            )
        return attrs


class GapSerializer(serializers.Serializer):
    period = serializers.CharField()
    position = serializers.CharField()
    needed = serializers.IntegerField()
    filled = serializers.IntegerField()
    start = serializers.CharField(help_text="HH:MM")
    end = serializers.CharField(help_text="HH:MM (before start: next day)")
    reason = serializers.ChoiceField(choices=["no_staff_in_position", "staff_unavailable"])
    short_hours = serializers.FloatField(required=False, help_text="position-hours left uncovered")


class PeriodSerializer(serializers.Serializer):
    name = serializers.CharField()
    shift_type = serializers.ChoiceField(choices=Shift.Type.choices)
    open = serializers.CharField()
    close = serializers.CharField()
    start = serializers.CharField()
    end = serializers.CharField()
    hours = serializers.FloatField()
    peak_orders_per_hour = serializers.FloatField()
    peak_guests_per_hour = serializers.FloatField()
    needs = serializers.DictField(child=serializers.IntegerField())
    extra = serializers.DictField(
        child=serializers.IntegerField(), required=False, help_text="optional heads the labor budget allows"
    )
    filled = serializers.DictField(child=serializers.IntegerField(), help_text="heads, peak shifts included")


class GenerationReportSerializer(serializers.Serializer):
    """What generation demanded and filled; a published day in a range only has `skipped`."""

    store = serializers.CharField()
    date = DayField()
    skipped = serializers.CharField(required=False, help_text='"published" when the day was left as it was')
    generated_at = serializers.DateTimeField(required=False)
    generated_by = serializers.CharField(required=False, allow_null=True)
    history_weeks = serializers.IntegerField(required=False)
    basis = serializers.ChoiceField(choices=["history", "minimum_staffing"], required=False)
    closed = serializers.BooleanField(required=False)
    periods = PeriodSerializer(many=True, required=False)
    demanded_hours = serializers.FloatField(required=False)
    filled_hours = serializers.FloatField(required=False)
    coverage = serializers.FloatField(required=False, help_text="filled / demanded position-hours, 0..1")
    peak_shifts = serializers.IntegerField(required=False, help_text="shifts covering part of a period")
    extra_hours = serializers.FloatField(required=False, help_text="hours of budget heads (not in coverage)")
    forecast_sales_cents = serializers.IntegerField(required=False, allow_null=True)
    target_labor_percent = serializers.FloatField(required=False, allow_null=True)
    labor_budget_cents = serializers.IntegerField(required=False, allow_null=True)
    planned_labor_cost_cents = serializers.IntegerField(required=False, allow_null=True)
    budget_trimmed_heads = serializers.IntegerField(required=False)
    budget_extra_heads = serializers.IntegerField(required=False)
    shifts = serializers.IntegerField(required=False)
    staff = serializers.IntegerField(required=False)
    staff_on_day_off = serializers.IntegerField(required=False)
    gaps = GapSerializer(many=True, required=False)


class GeneratedScheduleSerializer(serializers.Serializer):
    schedule = ScheduleSerializer()
    report = GenerationReportSerializer()


class GenerateResultSerializer(serializers.Serializer):
    results = GeneratedScheduleSerializer(many=True)


class BudgetFiguresSerializer(serializers.Serializer):
    forecast_sales_cents = serializers.IntegerField(help_text="forecast sales (scheduling.forecast), cents")
    actual_sales_cents = serializers.IntegerField(
        allow_null=True, help_text="what the day sold (past days only; null for today and later)"
    )
    scheduled_hours = serializers.FloatField()
    labor_cost_cents = serializers.IntegerField(help_text="scheduled hours x hourly wage, cents")
    labor_percent = serializers.DecimalField(
        max_digits=9, decimal_places=2, allow_null=True, help_text="labor cost / forecast sales x 100"
    )
    target_labor_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="the store's target (null: none set)"
    )


class BudgetDaySerializer(BudgetFiguresSerializer):
    date = DayField()
    has_schedule = serializers.BooleanField()


class ScheduleBudgetSerializer(serializers.Serializer):
    """The labor budget of a schedule's ISO week, per day and for the week."""

    store = serializers.CharField()
    schedule = serializers.UUIDField()
    week_start = DayField()
    week_end = DayField()
    target_labor_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    days = BudgetDaySerializer(many=True)
    week = BudgetFiguresSerializer()
