from django.db.models import Count
from drf_spectacular.utils import extend_schema, extend_schema_view

from stores.filters import EmployeeFilter, StoreFilter, TableFilter
from stores.models import Employee, Region, Store, Table
from stores.serializers import EmployeeSerializer, RegionSerializer, StoreSerializer, TableSerializer
from zhilian.api.viewsets import ScopedModelViewSet


@extend_schema_view(
    destroy=extend_schema(summary="Delete a store (409 `protected` when it has history; deactivate it instead)"),
)
class StoreViewSet(ScopedModelViewSet):
    queryset = Store.objects.select_related("manager", "region")
    serializer_class = StoreSerializer
    filterset_class = StoreFilter
    search_fields = ["id", "code", "name", "city", "district", "address", "phone"]
    ordering_fields = ["id", "code", "name", "city", "region", "status", "seats", "opening_date", "created_at"]
    ordering = ["id"]


class TableViewSet(ScopedModelViewSet):
    queryset = Table.objects.select_related("store")
    serializer_class = TableSerializer
    filterset_class = TableFilter
    search_fields = ["number", "room_name"]
    ordering_fields = ["store", "number", "capacity", "kind", "created_at"]
    ordering = ["store", "number"]


@extend_schema_view(
    destroy=extend_schema(summary="Delete an employee (409 `protected` when they have history; deactivate instead)"),
)
class EmployeeViewSet(ScopedModelViewSet):
    queryset = Employee.objects.select_related("store")
    serializer_class = EmployeeSerializer
    filterset_class = EmployeeFilter
    search_fields = ["id", "name", "phone", "email"]
    ordering_fields = ["id", "name", "position", "hire_date", "performance_score", "hourly_wage_cents", "created_at"]
    ordering = ["store", "id"]


@extend_schema_view(
    list=extend_schema(summary="Regions (every signed-in user reads them; admins write them)"),
    destroy=extend_schema(summary="Delete a region (409 `protected` while stores belong to it)"),
)
class RegionViewSet(ScopedModelViewSet):
    queryset = Region.objects.annotate(store_count=Count("stores"))
    serializer_class = RegionSerializer
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "store_count", "created_at"]
    ordering = ["name"]
