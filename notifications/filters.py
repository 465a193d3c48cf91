import django_filters

from notifications.models import Notification
from zhilian.api.filters import FilterSet, IsoDateTimeFilter


class NotificationFilter(FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="Unread only (true/false)")
    kind = django_filters.MultipleChoiceFilter(choices=Notification.Kind.choices)
    level = django_filters.MultipleChoiceFilter(choices=Notification.Level.choices)
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Notification
        fields = ["unread", "kind", "level", "store", "created_after", "created_before"]
