"""Order API shapes. Writes go through orders.services; totals, IDs and status times are read-only."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from orders import services
from orders.models import Order, OrderItem
from zhilian.api.serializers import BaseModelSerializer, ModelSerializer

# The timestamps of the hand-written representations below: DRF's DateTimeField output (ISO 8601
# in the current time zone, "Z" for UTC), without its per-call settings lookups.
_DATETIME = serializers.DateTimeField(read_only=True)


def _datetime(value, tz=None):
    if value is None:
        return None
    if tz is None or not timezone.is_aware(value):
        return _DATETIME.to_representation(value)
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


ITEM_FIELD_KWARGS = {
    "quantity": {"min_value": 1, "max_value": services.MAX_QUANTITY},
    # Required although the model column has a default: a line has no price the server could assume.
    "unit_price_cents": {"min_value": 0, "max_value": services.MAX_UNIT_PRICE_CENTS, "required": True},
}


class OrderLineSerializer(ModelSerializer):
    """An item as nested in an order (read, and written once when the order is created)."""

    class Meta:
        model = OrderItem
        fields = [
            "id",
            "item_code",
            "item_name",
            "quantity",
            "unit_price_cents",
            "subtotal_cents",
            "notes",
            "customizations",
        ]
        read_only_fields = ["id", "subtotal_cents"]
        extra_kwargs = ITEM_FIELD_KWARGS

    def to_representation(self, instance: OrderItem) -> dict:
        return order_line_payload(instance)


def order_line_payload(item: OrderItem) -> dict:
    """OrderLineSerializer's output, built directly.

    Hot path: a list of 50 orders renders ~250 lines, and building the dict is several times
    faster than DRF's per-field machinery. zhilian/tests/test_performance_guards.py checks it
    equals what the declared fields produce (ModelSerializer.to_representation).
    """
    return {
        "id": str(item.id),
        "item_code": item.item_code,
        "item_name": item.item_name,
        "quantity": item.quantity,
        "unit_price_cents": item.unit_price_cents,
        "subtotal_cents": item.subtotal_cents,
        "notes": item.notes,
        "customizations": item.customizations,
    }


class OrderSerializer(BaseModelSerializer):
    items = OrderLineSerializer(many=True, allow_empty=False, max_length=services.MAX_ITEMS)
    table_number = serializers.CharField(source="table.number", read_only=True, default=None, allow_null=True)
    waiter_name = serializers.CharField(source="waiter.name", read_only=True, default=None, allow_null=True)
    allowed_transitions = serializers.SerializerMethodField()
    items_editable = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "store",
            "table",
            "table_number",
            "waiter",
            "waiter_name",
            "order_type",
            "sales_channel",
            "status",
            "allowed_transitions",
            "items_editable",
            "customer_name",
            "customer_phone",
            "guest_count",
            "subtotal_cents",
            "discount_cents",
            "total_cents",
            "order_time",
            "confirmed_at",
            "preparing_at",
            "ready_at",
            "served_at",
            "completed_at",
            "cancelled_at",
            "cancel_reason",
            "notes",
            "metadata",
            "items",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "subtotal_cents",
            "total_cents",
            "confirmed_at",
            "preparing_at",
            "ready_at",
            "served_at",
            "completed_at",
            "cancelled_at",
            "cancel_reason",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "discount_cents": {"min_value": 0, "max_value": services.MAX_DISCOUNT_CENTS},
            "guest_count": {"min_value": 1, "max_value": 500},
        }

    def validate_metadata(self, value):
        if value is not None and not isinstance(value, dict):
            raise serializers.ValidationError("Must be an object.")
        return value

    def to_representation(self, instance: Order) -> dict:
        # Hot path (order lists, detail, every write's response): the declared fields built
        # directly, with the table, the waiter and the prefetched items the viewset loads.
        # zhilian/tests/test_performance_guards.py checks it equals ModelSerializer.to_representation.
        table = instance.table if instance.table_id else None
        waiter = instance.waiter if instance.waiter_id else None
        tz = timezone.get_current_timezone() if settings.USE_TZ else None
        return {
            "id": instance.id,
            "store": instance.store_id,
            "table": instance.table_id,
            "table_number": table.number if table is not None else None,
            "waiter": instance.waiter_id,
            "waiter_name": waiter.name if waiter is not None else None,
            "order_type": instance.order_type,
            "sales_channel": instance.sales_channel,
            "status": instance.status,
            "allowed_transitions": self.get_allowed_transitions(instance),
            "items_editable": self.get_items_editable(instance),
            "customer_name": instance.customer_name,
            "customer_phone": instance.customer_phone,
            "guest_count": instance.guest_count,
            "subtotal_cents": instance.subtotal_cents,
            "discount_cents": instance.discount_cents,
            "total_cents": instance.total_cents,
            "order_time": _datetime(instance.order_time, tz),
            "confirmed_at": _datetime(instance.confirmed_at, tz),
            "preparing_at": _datetime(instance.preparing_at, tz),
            "ready_at": _datetime(instance.ready_at, tz),
            "served_at": _datetime(instance.served_at, tz),
            "completed_at": _datetime(instance.completed_at, tz),
            "cancelled_at": _datetime(instance.cancelled_at, tz),
            "cancel_reason": instance.cancel_reason,
            "notes": instance.notes,
            "metadata": instance.metadata,
            "items": [order_line_payload(item) for item in instance.items.all()],
            "created_at": _datetime(instance.created_at, tz),
            "updated_at": _datetime(instance.updated_at, tz),
        }

    def get_allowed_transitions(self, obj: Order) -> list[str]:
        return services.allowed_moves(obj.status)

    def get_items_editable(self, obj: Order) -> bool:
        return services.is_editable(obj)

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple) and hasattr(self.instance, "pk"):
            # An existing order keeps its time (its ID says the day); items change through /order-items/.
            fields["order_time"].read_only = True
            fields["store"].required = False  # a PUT need not repeat the store
            fields["items"] = OrderLineSerializer(many=True, read_only=True)
        return fields

    def to_internal_value(self, data):
        if self.instance is not None and isinstance(data, dict) and "items" in data:
            raise serializers.ValidationError({"items": ["Change items through /api/v1/order-items/."]})
        return super().to_internal_value(data)

    def create(self, validated_data):
        items = validated_data.pop("items")
        store = validated_data.pop("store")
        return services.order_create(store=store, items=items, user=self._user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("store", None)  # the base serializer already refused a move
        return services.order_update(order=instance, user=self._user, **validated_data)


class OrderItemSerializer(BaseModelSerializer):
    """An order item on its own (/order-items/): adding, changing and removing lines."""

    order_status = serializers.CharField(source="order.status", read_only=True)

    class Meta:
        model = OrderItem
        fields = [
            "id",
            "order",
            "order_status",
            "item_code",
            "item_name",
            "quantity",
            "unit_price_cents",
            "subtotal_cents",
            "notes",
            "customizations",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "subtotal_cents", "created_at", "updated_at"]
        extra_kwargs = ITEM_FIELD_KWARGS

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and hasattr(self.instance, "pk"):
            fields["order"].read_only = True
        return fields

    def create(self, validated_data):
        order = validated_data.pop("order")
        return services.order_item_add(order=order, user=self._user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("order", None)
        return services.order_item_update(item=instance, user=self._user, **validated_data)


class OrderTransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Order.Status.choices)
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
