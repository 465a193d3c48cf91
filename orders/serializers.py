"""Order API shapes. Writes go through orders.services; totals, IDs and status times are read-only."""

from __future__ import annotations

from rest_framework import serializers

from orders import services
from orders.models import Order, OrderItem
from orders.selectors import LINE_FIELDS, instance_row, line_payload, order_payload
from orders.workflow import allowed_moves, is_editable
from stores.models import Table
from zhilian.api.serializers import BaseModelSerializer, ModelSerializer

ITEM_FIELD_KWARGS = {
    "quantity": {"min_value": 1, "max_value": services.MAX_QUANTITY},
    # A dish line takes its name and price from the store's menu (menu.services); an open item
    # must send both (the service says so, naming the line).
    "item_name": {"required": False},
    "unit_price_cents": {"min_value": 0, "max_value": services.MAX_UNIT_PRICE_CENTS, "required": False},
}


class MenuLineInputMixin(serializers.Serializer):
    """Input-only fields of a line (never in the representation, which stays orders.selectors')."""

    is_open_item = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="An item off the menu: its code is no dish, its name and price are the client's.",
    )
    modifiers = serializers.ListField(
        child=serializers.CharField(max_length=40),
        write_only=True,
        required=False,
        max_length=20,
        help_text="Codes of the dish's modifiers (recorded in customizations.modifiers, priced in).",
    )


class OrderLineSerializer(MenuLineInputMixin, ModelSerializer):
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
            "is_open_item",
            "modifiers",
        ]
        read_only_fields = ["id", "subtotal_cents"]
        extra_kwargs = ITEM_FIELD_KWARGS

    def to_representation(self, instance: OrderItem) -> dict:
        # The representation is orders.selectors' (zhilian/tests/test_performance_guards.py checks
        # it equals what the declared fields produce).
        return line_payload({field: getattr(instance, field) for field in LINE_FIELDS})


class OrderSerializer(BaseModelSerializer):
    items = OrderLineSerializer(many=True, allow_empty=False, max_length=services.MAX_ITEMS)
    # Read here; on writes a `table_number` may stand for `table` (to_internal_value).
    table_number = serializers.CharField(source="table.number", read_only=True, default=None, allow_null=True)
    waiter_name = serializers.CharField(source="waiter.name", read_only=True, default=None, allow_null=True)
    allowed_transitions = serializers.SerializerMethodField()
    items_editable = serializers.SerializerMethodField()
    send_to_kitchen = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Create the order confirmed and send it to the kitchen at once (preparing: its dishes "
        "leave stock), as a counter POS does; all or nothing.",
    )

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
            "send_to_kitchen",
            "created_at",
            "updated_at",
        ]
        read_only_fields = Order.SERVER_OWNED_FIELDS
        extra_kwargs = {
            "discount_cents": {"min_value": 0, "max_value": services.MAX_DISCOUNT_CENTS},
            "guest_count": {"min_value": 1, "max_value": 500},
        }

    def validate_metadata(self, value):
        if value is not None and not isinstance(value, dict):
            raise serializers.ValidationError("Must be an object.")
        return value

    def to_representation(self, instance: Order) -> dict:
        # The representation is orders.selectors' (the list and the detail build it from rows);
        # zhilian/tests/test_performance_guards.py checks it equals ModelSerializer.to_representation.
        lines = [self.fields["items"].child.to_representation(item) for item in instance.items.all()]
        return order_payload(instance_row(instance), lines)

    def get_allowed_transitions(self, obj: Order) -> list[str]:
        return allowed_moves(obj.status)

    def get_items_editable(self, obj: Order) -> bool:
        return is_editable(obj.status)

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple) and hasattr(self.instance, "pk"):
            # An existing order keeps its time (its ID says the day); items change through /order-items/.
            fields["order_time"].read_only = True
            fields["store"].required = False  # a PUT need not repeat the store
            fields["items"] = OrderLineSerializer(many=True, read_only=True)
            del fields["send_to_kitchen"]  # an existing order moves through /transition/
        return fields

    def to_internal_value(self, data):
        if self.instance is not None and isinstance(data, dict) and "items" in data:
            raise serializers.ValidationError({"items": ["Change items through /api/v1/order-items/."]})
        if isinstance(data, dict) and data.get("table_number") and not data.get("table"):
            data = {**data, "table": self._table_by_number(data)}
        return super().to_internal_value(data)

    def _table_by_number(self, data: dict) -> str:
        """A POS knows the table by the number on it: `table_number` (with the order's store)
        stands for `table`. The store's own checks (scoping, in service) still apply after."""
        store_id = data.get("store") or getattr(self.instance, "store_id", None)
        number = str(data["table_number"])
        table_id = Table.objects.filter(store_id=store_id, number=number).values_list("pk", flat=True).first()
        if table_id is None:
            raise serializers.ValidationError({"table_number": [f"The store has no table {number!r}."]})
        return str(table_id)

    def create(self, validated_data):
        items = validated_data.pop("items")
        store = validated_data.pop("store")
        return services.order_create(store=store, items=items, user=self._user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("store", None)  # the base serializer already refused a move
        return services.order_update(order=instance, user=self._user, **validated_data)


class OrderItemSerializer(MenuLineInputMixin, BaseModelSerializer):
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
            "is_open_item",
            "modifiers",
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

    def model_validation_exclude(self) -> set[str]:
        # The menu fills a dish line's name and price (menu.services checks them).
        return super().model_validation_exclude() | {"item_name", "unit_price_cents", "is_open_item"}

    def update(self, instance, validated_data):
        validated_data.pop("order", None)
        # A line keeps what it sold; what it is (dish or open item) is decided when it is added.
        validated_data.pop("is_open_item", None)
        validated_data.pop("modifiers", None)
        return services.order_item_update(item=instance, user=self._user, **validated_data)


class OrderTransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Order.Status.choices)
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
