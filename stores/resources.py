"""Employees and tables as files: the columns of their exports and imports (zhilian/admin/imports.py)."""

from __future__ import annotations

from typing import Any

from stores import services
from stores.models import Employee, Table
from zhilian.admin.exports import store_name_field
from zhilian.admin.imports import ImportResource, store_field

EMPLOYEE_FIELDS = [
    "id",
    "store",
    "store_name",
    "name",
    "position",
    "phone",
    "email",
    "hire_date",
    "is_active",
    "hourly_wage_cents",
    "performance_score",
]


class EmployeeResource(ImportResource):
    """Employee records, not their login accounts (those are made in accounts, with a role)."""

    store = store_field()
    store_name = store_name_field()
    export_select_related = ("store",)

    class Meta(ImportResource.Meta):
        model = Employee
        name = Employee._meta.verbose_name_plural
        fields = EMPLOYEE_FIELDS
        export_order = EMPLOYEE_FIELDS
        import_id_fields = ["id"]

    def create(self, instance: Employee, fields: dict[str, Any]) -> Employee:
        return services.employee_create(user=self.user, **fields)

    def update(self, instance: Employee, changes: dict[str, Any]) -> Employee:
        return services.employee_update(employee=instance, user=self.user, **changes)


TABLE_FIELDS = ["store", "store_name", "number", "capacity", "kind", "room_name", "is_active"]


class TableResource(ImportResource):
    """Tables, keyed by their store and number (their id is internal)."""

    store = store_field()
    store_name = store_name_field()
    export_select_related = ("store",)

    class Meta(ImportResource.Meta):
        model = Table
        name = Table._meta.verbose_name_plural
        fields = TABLE_FIELDS
        export_order = TABLE_FIELDS
        import_id_fields = ["store", "number"]

    def create(self, instance: Table, fields: dict[str, Any]) -> Table:
        return services.table_create(user=self.user, **fields)

    def update(self, instance: Table, changes: dict[str, Any]) -> Table:
        return services.table_update(table=instance, user=self.user, **changes)
