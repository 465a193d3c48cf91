import django_filters

from stores.models import Employee, Store, Table
from zhilian.api.filters import FilterSet, RecordDateFilter


def visible_stores(request):
    # Another store's ID is refused like an unknown one: its existence is not confirmed.
    return Store.objects.for_user(getattr(request, "user", None))


def visible_users(request):
    from accounts.models import User

    return User.objects.for_user(getattr(request, "user", None))


class StoreFilter(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Store.Status.choices)
    city = django_filters.CharFilter(lookup_expr="iexact")
    region = django_filters.CharFilter(field_name="region__code", lookup_expr="iexact")
    district = django_filters.CharFilter(lookup_expr="iexact")
    manager = django_filters.ModelChoiceFilter(queryset=visible_users)
    opened_after = RecordDateFilter(field_name="opening_date", lookup_expr="gte")
    opened_before = RecordDateFilter(field_name="opening_date", lookup_expr="lte")

    class Meta:
        model = Store
        fields = ["status", "city", "region", "district", "manager", "opened_after", "opened_before"]


class TableFilter(FilterSet):
    store = django_filters.ModelChoiceFilter(queryset=visible_stores)
    kind = django_filters.MultipleChoiceFilter(choices=Table.Kind.choices)
    capacity_min = django_filters.NumberFilter(field_name="capacity", lookup_expr="gte", min_value=0, max_value=32767)
    capacity_max = django_filters.NumberFilter(field_name="capacity", lookup_expr="lte", min_value=0, max_value=32767)

    class Meta:
        model = Table
        fields = ["store", "kind", "is_active", "capacity_min", "capacity_max"]


class EmployeeFilter(FilterSet):
    store = django_filters.ModelChoiceFilter(queryset=visible_stores)
    position = django_filters.MultipleChoiceFilter(choices=Employee.Position.choices)
    hired_after = RecordDateFilter(field_name="hire_date", lookup_expr="gte")
    hired_before = RecordDateFilter(field_name="hire_date", lookup_expr="lte")
    has_login = django_filters.BooleanFilter(field_name="user", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Employee
        fields = ["store", "position", "is_active", "hired_after", "hired_before", "has_login"]
