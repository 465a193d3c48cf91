"""Open shifts and swap requests over the API (writes go through scheduling.services)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from scheduling.models import OpenShift, Schedule, Shift, ShiftSwapRequest
from stores.models import Employee
from zhilian.api.fields import DayField
from zhilian.api.serializers import ModelSerializer


class _Scoped:
    """Related fields limited to what the requesting user may see (another store's id is a 400)."""

    scoped: dict[str, type] = {}

    def get_fields(self):
        fields = super().get_fields()
        user = getattr(self.context.get("request"), "user", None)
        for name, model in self.scoped.items():
            if name in fields:
                fields[name].queryset = model.objects.for_user(user)
        return fields


class OpenShiftSerializer(ModelSerializer):
    store = serializers.CharField(source="schedule.store_id", read_only=True)
    schedule_date = DayField(source="schedule.schedule_date", read_only=True)
    claimed_by_name = serializers.CharField(source="claimed_by.name", read_only=True, default=None, allow_null=True)
    hours = serializers.SerializerMethodField()

    class Meta:
        model = OpenShift
        fields = [
            "id",
            "schedule",
            "store",
            "schedule_date",
            "position",
            "required_skills",
            "shift_type",
            "start_time",
            "end_time",
            "starts_at",
            "ends_at",
            "hours",
            "status",
            "source",
            "requires_approval",
            "claimed_by",
            "claimed_by_name",
            "claimed_at",
            "shift",
            "decided_at",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField())
    def get_hours(self, obj) -> float:
        return round(obj.hours, 2)


class OpenShiftCreateSerializer(_Scoped, serializers.Serializer):
    """A manager posts an open shift on a day of their store."""

    scoped = {"schedule": Schedule}

    schedule = serializers.PrimaryKeyRelatedField(queryset=Schedule.objects.none())
    position = serializers.ChoiceField(choices=Employee.Position.choices)
    start_time = serializers.TimeField()
    end_time = serializers.TimeField()
    shift_type = serializers.ChoiceField(choices=Shift.Type.choices, required=False)
    required_skills = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=20, default=list
    )
    requires_approval = serializers.BooleanField(required=False, default=False)
    notes = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class ShiftSwapRequestSerializer(ModelSerializer):
    shift_date = DayField(source="shift.schedule.schedule_date", read_only=True)
    shift_start = serializers.TimeField(source="shift.start_time", read_only=True)
    shift_end = serializers.TimeField(source="shift.end_time", read_only=True)
    position = serializers.CharField(source="shift.position", read_only=True)
    store = serializers.CharField(source="shift.schedule.store_id", read_only=True)
    requested_by_name = serializers.CharField(source="requested_by.name", read_only=True)
    target_name = serializers.CharField(source="target.name", read_only=True, default=None, allow_null=True)
    taker_name = serializers.CharField(source="taker.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = ShiftSwapRequest
        fields = [
            "id",
            "shift",
            "store",
            "shift_date",
            "shift_start",
            "shift_end",
            "position",
            "kind",
            "status",
            "requested_by",
            "requested_by_name",
            "target",
            "target_name",
            "taker",
            "taker_name",
            "reason",
            "accepted_at",
            "decided_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ShiftSwapCreateSerializer(_Scoped, serializers.Serializer):
    """Offer a shift: `swap` to the colleague `target`, or `drop` to anyone eligible."""

    scoped = {"shift": Shift, "target": Employee}

    shift = serializers.PrimaryKeyRelatedField(queryset=Shift.objects.none())
    kind = serializers.ChoiceField(choices=ShiftSwapRequest.Kind.choices)
    target = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.none(), required=False, allow_null=True)
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
