import django_filters

from attendance.models import PublicHoliday, TimeEntry, Timesheet
from zhilian.api.filters import DateFilter, FilterSet


class TimeEntryFilter(FilterSet):
    store = django_filters.CharFilter(field_name="store_id")
    employee = django_filters.CharFilter(field_name="employee_id")
    shift = django_filters.UUIDFilter(field_name="shift_id")
    date = DateFilter(field_name="business_date")
    date_from = DateFilter(field_name="business_date", lookup_expr="gte")
    date_to = DateFilter(field_name="business_date", lookup_expr="lte")
    is_open = django_filters.BooleanFilter(field_name="clock_out_at", lookup_expr="isnull")
    unscheduled = django_filters.BooleanFilter(field_name="shift", lookup_expr="isnull")

    class Meta:
        model = TimeEntry
        fields = ["needs_review", "auto_closed"]


class TimesheetFilter(FilterSet):
    store = django_filters.CharFilter(field_name="store_id")
    employee = django_filters.CharFilter(field_name="employee_id")
    week_start = DateFilter()
    week_from = DateFilter(field_name="week_start", lookup_expr="gte")
    week_to = DateFilter(field_name="week_start", lookup_expr="lte")

    class Meta:
        model = Timesheet
        fields = ["status"]


class PublicHolidayFilter(FilterSet):
    date_from = DateFilter(field_name="date", lookup_expr="gte")
    date_to = DateFilter(field_name="date", lookup_expr="lte")
    year = django_filters.NumberFilter(field_name="date", lookup_expr="year", min_value=2000, max_value=2099)

    class Meta:
        model = PublicHoliday
        fields = ["kind"]
