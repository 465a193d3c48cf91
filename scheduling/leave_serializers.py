"""Leave requests and availability over the API. Writes go through scheduling.services."""

from __future__ import annotations

from rest_framework import serializers

from scheduling.models import Availability, LeaveRequest
from stores.models import Employee
from zhilian.api.serializers import BaseModelSerializer


class LeaveRequestSerializer(BaseModelSerializer):
    employee_name = serializers.CharField(source="employee.name", read_only=True)
    store = serializers.CharField(source="employee.store_id", read_only=True)
    days = serializers.IntegerField(read_only=True)

    class Meta:
        model = LeaveRequest
        fields = [
            "id",
            "employee",
            "employee_name",
            "store",
            "leave_type",
            "start_date",
            "end_date",
            "days",
            "reason",
            "status",
            "requested_by",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = LeaveRequest.SERVER_OWNED_FIELDS
        # Staff leave it out (their own); managers name whom.
        extra_kwargs = {"employee": {"required": False}}

    def validate(self, attrs):
        if "employee" not in attrs and self.instance is None:
            user = self._user
            employee = Employee.objects.filter(user=user).first() if user is not None else None
            if employee is None:
                raise serializers.ValidationError({"employee": ["This field is required."]})
            attrs["employee"] = employee
        return super().validate(attrs)


class LeaveDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class StaffAvailabilitySerializer(BaseModelSerializer):
    weekday_label = serializers.CharField(source="get_weekday_display", read_only=True)

    class Meta:
        model = Availability
        fields = ["id", "employee", "weekday", "weekday_label", "start_time", "end_time", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs):
        if self.instance is not None and "employee" in attrs and attrs["employee"] != self.instance.employee:
            raise serializers.ValidationError({"employee": ["A range cannot move to another employee."]})
        return super().validate(attrs)
