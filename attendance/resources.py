"""The timesheet changelist's second export: the payroll file of attendance/export.py (approved
weeks only, the same columns as the API's export), behind the admin's Export button."""

from __future__ import annotations

import tablib
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from attendance import export
from attendance.models import Timesheet


class PayrollResource(resources.Resource):
    """Approved timesheets of the changelist's rows, as payroll reads them."""

    class Meta:
        name = _("Approved timesheets (payroll)")

    @classmethod
    def get_display_name(cls):
        return cls._meta.name

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        # One column per header of attendance/export.py, in the user's language.
        self.fields = {f"col{i}": fields.Field(column_name=h) for i, h in enumerate(export.headers())}

    def export(self, queryset=None, **kwargs):
        timesheets = (
            queryset.filter(status=Timesheet.Status.APPROVED)
            .select_related("employee", "approved_by")
            .order_by("store_id", "week_start", "employee_id")
        )
        keys = list(self.fields)
        chosen = kwargs.get("export_fields") or keys
        columns = [keys.index(k) for k in chosen if k in keys]
        headers = [self.fields[keys[i]].column_name for i in columns]
        return tablib.Dataset(*[[row[i] for i in columns] for row in export.rows(timesheets)], headers=headers)
