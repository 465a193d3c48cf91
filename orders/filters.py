"""Order list filters: store, status (several), type, channel, time range, local day, people."""

from __future__ import annotations

import datetime as dt

import django_filters as filters
from django.utils import timezone

from orders.models import Order, OrderItem


class OrderFilter(filters.FilterSet):
    store = filters.CharFilter(field_name="store_id")
    status = filters.MultipleChoiceFilter(choices=Order.Status.choices)
    order_type = filters.MultipleChoiceFilter(choices=Order.Type.choices)
    sales_channel = filters.MultipleChoiceFilter(choices=Order.Channel.choices)
    # ?order_time_after=...&order_time_before=... (ISO 8601)
    order_time = filters.IsoDateTimeFromToRangeFilter()
    # ?date=2026-11-26: the local business day, as a range so the (store, time) index serves it.
    date = filters.DateFilter(method="filter_date", label="Local day of the order time")
    customer_phone = filters.CharFilter()
    waiter = filters.CharFilter(field_name="waiter_id")
    table = filters.UUIDFilter(field_name="table_id")

    class Meta:
        model = Order
        fields = ["store", "status", "order_type", "sales_channel", "order_time", "customer_phone", "waiter", "table"]

    def filter_date(self, queryset, name, value: dt.date):
        start = timezone.make_aware(dt.datetime.combine(value, dt.time.min))
        end = timezone.make_aware(dt.datetime.combine(value + dt.timedelta(days=1), dt.time.min))
        return queryset.filter(order_time__gte=start, order_time__lt=end)


class OrderItemFilter(filters.FilterSet):
    order = filters.CharFilter(field_name="order_id")
    store = filters.CharFilter(field_name="order__store_id")
    item_code = filters.CharFilter()
    order_status = filters.MultipleChoiceFilter(field_name="order__status", choices=Order.Status.choices)

    class Meta:
        model = OrderItem
        fields = ["order", "store", "item_code", "order_status"]
