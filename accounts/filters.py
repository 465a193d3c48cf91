import django_filters

from accounts.models import User
from stores.filters import visible_stores
from zhilian.roles import Role


class UserFilter(django_filters.FilterSet):
    store = django_filters.ModelChoiceFilter(queryset=visible_stores)
    role = django_filters.MultipleChoiceFilter(choices=Role.choices)
    joined_after = django_filters.IsoDateTimeFilter(field_name="date_joined", lookup_expr="gte")
    joined_before = django_filters.IsoDateTimeFilter(field_name="date_joined", lookup_expr="lt")

    class Meta:
        model = User
        fields = ["store", "role", "is_active", "joined_after", "joined_before"]
