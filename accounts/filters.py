import django_filters

from accounts.models import User
from stores.filters import visible_stores
from zhilian.api.filters import FilterSet, IsoDateTimeFilter
from zhilian.roles import Role


class UserFilter(FilterSet):
    store = django_filters.ModelChoiceFilter(queryset=visible_stores)
    role = django_filters.MultipleChoiceFilter(choices=Role.choices)
    joined_after = IsoDateTimeFilter(field_name="date_joined", lookup_expr="gte")
    joined_before = IsoDateTimeFilter(field_name="date_joined", lookup_expr="lt")

    class Meta:
        model = User
        fields = ["store", "role", "is_active", "joined_after", "joined_before"]
