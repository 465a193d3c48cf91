import django_filters

from scheduling.models import Availability, LeaveRequest, Schedule, Shift
from zhilian.api.filters import DateFilter, FilterSet


class ScheduleFilter(FilterSet):
    store = django_filters.CharFilter(field_name="store_id")
    date = DateFilter(field_name="schedule_date")
    date_from = DateFilter(field_name="schedule_date", lookup_expr="gte")
    date_to = DateFilter(field_name="schedule_date", lookup_expr="lte")

    class Meta:
        model = Schedule
        fields = ["store", "is_published"]


class ShiftFilter(FilterSet):
    store = django_filters.CharFilter(field_name="schedule__store_id")
    employee = django_filters.CharFilter(field_name="employee_id")
    date = DateFilter(field_name="schedule__schedule_date")
    date_from = DateFilter(field_name="schedule__schedule_date", lookup_expr="gte")
    date_to = DateFilter(field_name="schedule__schedule_date", lookup_expr="lte")
    shift_type = django_filters.MultipleChoiceFilter(choices=Shift.Type.choices)
    position = django_filters.CharFilter()

    class Meta:
        model = Shift
        fields = ["schedule", "is_confirmed", "is_completed"]


class LeaveRequestFilter(FilterSet):
    store = django_filters.CharFilter(field_name="employee__store_id")
    employee = django_filters.CharFilter(field_name="employee_id")
    status = django_filters.MultipleChoiceFilter(choices=LeaveRequest.Status.choices)
    leave_type = django_filters.MultipleChoiceFilter(choices=LeaveRequest.Type.choices)
    # Requests that touch [date_from, date_to].
    date_from = DateFilter(field_name="end_date", lookup_expr="gte")
    date_to = DateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = LeaveRequest
        fields = []


class AvailabilityFilter(FilterSet):
    store = django_filters.CharFilter(field_name="employee__store_id")
    employee = django_filters.CharFilter(field_name="employee_id")

    class Meta:
        model = Availability
        fields = ["weekday"]
