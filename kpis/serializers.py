from __future__ import annotations

import datetime as dt

from django.utils import timezone
from rest_framework import serializers

from kpis.models import KPI, KPIRecord
from zhilian.api.fields import DayField
from zhilian.api.serializers import BaseModelSerializer, ModelSerializer
from zhilian.dates import check_range

# Paths under /api/v1/kpis/ that a KPI id would shadow.
RESERVED_IDS = frozenset({"records", "dashboard"})
# The API computes at most this many days per request (the command has no limit).
MAX_COMPUTE_DAYS = 92


class KPISerializer(BaseModelSerializer):
    class Meta:
        model = KPI
        fields = [
            "id",
            "name",
            "category",
            "description",
            "unit",
            "metric",
            "direction",
            "target_value",
            "warning_threshold",
            "critical_threshold",
            "calculation_method",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = KPI.SERVER_OWNED_FIELDS

    def validate_id(self, value: str) -> str:
        if self.instance is not None and value != self.instance.pk:
            raise serializers.ValidationError("The ID of a KPI cannot change.")
        if value.lower() in RESERVED_IDS:
            raise serializers.ValidationError(f"{value!r} is reserved.")
        if self.instance is None and KPI.objects.filter(pk=value).exists():
            raise serializers.ValidationError("A KPI with this ID exists.")
        return value


class KPIRecordSerializer(ModelSerializer):
    kpi_name = serializers.CharField(source="kpi.name", read_only=True)
    unit = serializers.CharField(source="kpi.unit", read_only=True)
    category = serializers.CharField(source="kpi.category", read_only=True)
    direction = serializers.CharField(source="kpi.direction", read_only=True)
    store_name = serializers.CharField(source="store.name", read_only=True)

    class Meta:
        model = KPIRecord
        fields = [
            "id",
            "kpi",
            "kpi_name",
            "unit",
            "category",
            "direction",
            "store",
            "store_name",
            "record_date",
            "value",
            "target_value",
            "achievement_rate",
            "previous_value",
            "change_rate",
            "status",
            "trend",
            "metadata",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def start_date_given(attrs) -> bool:
    return attrs.get("start_date") is not None


class ComputeRequestSerializer(serializers.Serializer):
    store = serializers.CharField(required=False, max_length=50, help_text="Store ID; managers default to their own.")
    date = DayField(required=False, help_text="One day (default: yesterday).")
    start_date = DayField(required=False)
    end_date = DayField(required=False)

    def validate(self, attrs):
        day, start, end = attrs.get("date"), attrs.get("start_date"), attrs.get("end_date")
        if day and (start or end):
            raise serializers.ValidationError({"date": ["Give either date or start_date/end_date, not both."]})
        if end and not start:
            raise serializers.ValidationError({"start_date": ["Required with end_date."]})
        today = timezone.localdate()
        if not (day or start):
            day = today - dt.timedelta(days=1)
        start = start or day
        end = end or day or start
        check_range(start, end, start_field="start_date", end_field="end_date", max_days=MAX_COMPUTE_DAYS)
        if end > today:
            name = "end_date" if attrs.get("end_date") else "start_date" if start_date_given(attrs) else "date"
            raise serializers.ValidationError({name: ["Must not be in the future."]})
        attrs["start"], attrs["end"] = start, end
        return attrs


class ComputeResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = KPIRecordSerializer(many=True)
