from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from stores.models import Employee, Region, Store, Table
from zhilian.api.serializers import BaseModelSerializer


class ReadableIdMixin:
    """A readable string ID (STORE001, EMP001) is chosen on create and fixed afterwards."""

    def get_fields(self):
        fields = super().get_fields()
        if isinstance(self.instance, models.Model):
            fields["id"].read_only = True
        return fields


class StoreSerializer(ReadableIdMixin, BaseModelSerializer):
    # A method field: a dotted source with a default is dropped from PATCH responses (DRF skips
    # defaults on partial updates), and the value is null for a store without a manager.
    manager_name = serializers.SerializerMethodField()
    # A region is named by its code in the API ("east-china"); its display name is read-only.
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), allow_null=True, required=False
    )
    region_name = serializers.CharField(source="region.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Store
        fields = [
            "id",
            "code",
            "name",
            "address",
            "city",
            "district",
            "region",
            "region_name",
            "phone",
            "email",
            "latitude",
            "longitude",
            "status",
            "seats",
            "area",
            "opening_date",
            "business_hours",
            "early_clock_in_minutes",
            "auto_clock_out_time",
            "auto_clock_out_after_hours",
            "config",
            "manager",
            "manager_name",
            "monthly_revenue_target_cents",
            "daily_customer_target",
            "cost_ratio_target",
            "labor_cost_ratio_target",
            "target_labor_percent",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"monthly_revenue_target_cents": {"min_value": 0, "max_value": 10**15}}

    def get_manager_name(self, obj) -> str | None:
        return obj.manager.get_full_name() if obj.manager else None


class TableSerializer(BaseModelSerializer):
    store_name = serializers.CharField(source="store.name", read_only=True)

    class Meta:
        model = Table
        fields = [
            "id",
            "store",
            "store_name",
            "number",
            "capacity",
            "kind",
            "room_name",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"capacity": {"min_value": 1, "max_value": 1000}}


class EmployeeSerializer(ReadableIdMixin, BaseModelSerializer):
    store_name = serializers.CharField(source="store.name", read_only=True)

    class Meta:
        model = Employee
        fields = [
            "id",
            "store",
            "store_name",
            "user",
            "name",
            "phone",
            "email",
            "position",
            "skills",
            "hire_date",
            "is_active",
            "preferences",
            "performance_score",
            "training_completed",
            "hourly_wage_cents",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"hourly_wage_cents": {"min_value": 0, "max_value": 10**9}}


class RegionSerializer(BaseModelSerializer):
    """A region, named by its code elsewhere in the API (a store's `region`, `?region=`)."""

    store_count = serializers.SerializerMethodField(help_text=_("Stores in the region (the whole chain's)."))

    class Meta:
        model = Region
        fields = ["id", "code", "name", "store_count", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def get_store_count(self, obj) -> int:
        count = getattr(obj, "store_count", None)  # annotated by the viewset; not on a new region
        return obj.stores.count() if count is None else count
