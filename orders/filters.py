"""Order list filters: store, status (several), type, channel, time range, local day, people."""

from __future__ import annotations

import django_filters as filters

from orders.models import Order, OrderItem
from zhilian.api.filters import FilterSet, IsoDateTimeFromToRangeFilter, LocalDayFilter


class OrderFilter(FilterSet):
    store = filters.CharFilter(field_name="store_id")
    status = filters.MultipleChoiceFilter(choices=Order.Status.choices)
    order_type = filters.MultipleChoiceFilter(choices=Order.Type.choices)
    sales_channel = filters.MultipleChoiceFilter(choices=Order.Channel.choices)
    # ?order_time_after=...&order_time_before=... (ISO 8601)
    order_time = IsoDateTimeFromToRangeFilter()
    # ?date=2026-11-26: the local business day, as a range so the (store, time) index serves it.
    date = LocalDayFilter(field_name="order_time", label="Local day of the order time")
    customer_phone = filters.CharFilter()
    waiter = filters.CharFilter(field_name="waiter_id")
    table = filters.UUIDFilter(field_name="table_id")

    class Meta:
        model = Order
        fields = ["store", "status", "order_type", "sales_channel", "order_time", "customer_phone", "waiter", "table"]


class OrderItemFilter(FilterSet):
    order = filters.CharFilter(field_name="order_id")
    store = filters.CharFilter(field_name="order__store_id")
    item_code = filters.CharFilter()
    order_status = filters.MultipleChoiceFilter(field_name="order__status", choices=Order.Status.choices)

    class Meta:
        model = OrderItem
        fields = ["order", "store", "item_code", "order_status"]
