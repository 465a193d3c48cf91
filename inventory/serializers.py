from decimal import Decimal

from django.utils import timezone
from rest_framework import serializers

from inventory import services
from inventory.models import InventoryItem, InventoryTransaction, StockCount, StockCountLine
from stores.models import Store
from zhilian.api.fields import DayField
from zhilian.api.serializers import BaseModelSerializer, ModelSerializer
from zhilian.dates import requested_range

Type = InventoryTransaction.Type
QUANTITY_FIELD = {"max_digits": 12, "decimal_places": 3}


class InventoryItemSerializer(BaseModelSerializer):
    """Items are created and edited through inventory.services: the stock is never written here."""

    initial_quantity = serializers.DecimalField(
        **QUANTITY_FIELD,
        min_value=Decimal("0"),
        required=False,
        write_only=True,
        help_text="Opening stock on create, recorded in the ledger as an adjustment.",
    )
    unit_cost_cents = serializers.IntegerField(min_value=0, max_value=services.MAX_CENTS, required=False)

    class Meta:
        model = InventoryItem
        fields = [
            "id",
            "store",
            "name",
            "category",
            "unit",
            "current_quantity",
            "min_quantity",
            "max_quantity",
            "unit_cost_cents",
            "status",
            "supplier_name",
            "supplier_contact",
            "is_active",
            "initial_quantity",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["current_quantity", "status", "created_at", "updated_at"]

    def validate(self, attrs):
        if self.instance is not None:
            if "id" in attrs and attrs["id"] != self.instance.pk:
                raise serializers.ValidationError({"id": ["The ID of an existing item cannot change."]})
            if "initial_quantity" in attrs:
                raise serializers.ValidationError(
                    {"initial_quantity": ["Only on create; record stock through the ledger."]}
                )
        initial = attrs.pop("initial_quantity", None)
        attrs = super().validate(attrs)
        if initial is not None:
            attrs["initial_quantity"] = initial
        return attrs

    def create(self, validated_data):
        user = self._user
        return services.inventory_item_create(user=user if user and user.is_authenticated else None, **validated_data)

    def update(self, instance, validated_data):
        changes = {k: v for k, v in validated_data.items() if k in services.ITEM_EDITABLE_FIELDS}
        return services.inventory_item_update(item=instance, changes=changes, user=self._user)


class InventoryTransactionSerializer(ModelSerializer):
    """A ledger row as read back (every field read-only: rows are never edited)."""

    item_name = serializers.CharField(source="item.name", read_only=True)
    unit = serializers.CharField(source="item.unit", read_only=True)
    performed_by_name = serializers.SerializerMethodField()
    # Declared so the schema admits "" (every row that is not waste): ModelSerializer drops
    # `allow_blank` from read-only fields.
    waste_reason = serializers.ChoiceField(
        choices=InventoryTransaction.WasteReason.choices, read_only=True, allow_blank=True
    )

    class Meta:
        model = InventoryTransaction
        fields = [
            "id",
            "item",
            "item_name",
            "unit",
            "store",
            "transaction_type",
            "quantity",
            "quantity_before",
            "quantity_after",
            "unit_cost_cents",
            "total_cost_cents",
            "waste_reason",
            "reference_id",
            "counterpart",
            "notes",
            "performed_by",
            "performed_by_name",
            "transaction_time",
            "created_at",
        ]
        read_only_fields = fields

    def get_performed_by_name(self, obj) -> str:
        user = obj.performed_by
        return "" if user is None else (user.full_name or user.username)


class InventoryTransactionCreateSerializer(serializers.Serializer):
    """What a client sends to record stock; the sign comes from the type, never from the client."""

    item = serializers.PrimaryKeyRelatedField(queryset=InventoryItem.objects.all())
    transaction_type = serializers.ChoiceField(choices=Type.choices)
    quantity = serializers.DecimalField(
        **QUANTITY_FIELD,
        min_value=Decimal("0.001"),
        required=False,
        help_text="Positive amount; purchases add it, usage, waste and transfers take it out.",
    )
    counted_quantity = serializers.DecimalField(
        **QUANTITY_FIELD,
        min_value=Decimal("0"),
        required=False,
        help_text="Adjustments only: the counted stock; the difference is written to the ledger.",
    )
    waste_reason = serializers.ChoiceField(
        choices=InventoryTransaction.WasteReason.choices, required=False, allow_blank=True
    )
    to_store = serializers.PrimaryKeyRelatedField(
        queryset=Store.objects.all(),
        required=False,
        help_text="Transfers only: the receiving store (it needs an item of the same name).",
    )
    unit_cost_cents = serializers.IntegerField(
        min_value=0,
        max_value=services.MAX_CENTS,
        required=False,
        help_text="Purchases only: the purchase price per unit; it becomes the item's unit cost.",
    )
    reference_id = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        # Only items of the stores the user may see; another store's item is a 400 on `item`.
        fields["item"].queryset = InventoryItem.objects.for_user(getattr(request, "user", None))
        return fields

    def validate(self, attrs):
        kind = attrs["transaction_type"]
        errors: dict[str, list[str]] = {}
        if kind == Type.ADJUSTMENT:
            if "counted_quantity" not in attrs:
                errors["counted_quantity"] = ["Give the counted quantity for an adjustment."]
            if "quantity" in attrs:
                errors["quantity"] = ["An adjustment takes counted_quantity, not quantity."]
        else:
            if "quantity" not in attrs:
                errors["quantity"] = ["This field is required."]
            if "counted_quantity" in attrs:
                errors["counted_quantity"] = ["Only for adjustments."]
        if kind == Type.WASTE and not attrs.get("waste_reason"):
            errors["waste_reason"] = ["Give a reason for waste."]
        if kind != Type.WASTE and attrs.get("waste_reason"):
            errors["waste_reason"] = ["Only for waste."]
        if kind == Type.TRANSFER and "to_store" not in attrs:
            errors["to_store"] = ["Give the receiving store for a transfer."]
        if kind != Type.TRANSFER and "to_store" in attrs:
            errors["to_store"] = ["Only for transfers."]
        if kind != Type.PURCHASE and attrs.get("unit_cost_cents") is not None:
            errors["unit_cost_cents"] = ["Only for purchases; other rows use the item's unit cost."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def record(self, *, user) -> InventoryTransaction:
        """Dispatch to the ledger service of the type; returns the row (the outgoing one for transfers)."""
        data = self.validated_data
        common = {"item": data["item"], "user": user, "reference_id": data["reference_id"], "notes": data["notes"]}
        kind = data["transaction_type"]
        if kind == Type.PURCHASE:
            return services.stock_record_purchase(
                quantity=data["quantity"], unit_cost_cents=data.get("unit_cost_cents"), **common
            )
        if kind == Type.USAGE:
            return services.stock_record_usage(quantity=data["quantity"], **common)
        if kind == Type.WASTE:
            return services.stock_record_waste(quantity=data["quantity"], reason=data["waste_reason"], **common)
        if kind == Type.ADJUSTMENT:
            return services.stock_record_adjustment(counted_quantity=data["counted_quantity"], **common)
        outgoing, _incoming = services.stock_transfer(to_store=data["to_store"], quantity=data["quantity"], **common)
        return outgoing


# --- report shapes (responses of the custom actions; documented in the schema) ------------------


class ReorderLineSerializer(serializers.Serializer):
    item = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    unit = serializers.CharField()
    status = serializers.CharField()
    current_quantity = serializers.DecimalField(**QUANTITY_FIELD)
    min_quantity = serializers.DecimalField(**QUANTITY_FIELD)
    max_quantity = serializers.DecimalField(**QUANTITY_FIELD)
    quantity = serializers.DecimalField(**QUANTITY_FIELD, help_text="To order: brings the item to its par level.")
    unit_cost_cents = serializers.IntegerField()
    cost_cents = serializers.IntegerField()


class ReorderGroupSerializer(serializers.Serializer):
    supplier_name = serializers.CharField()
    supplier_contact = serializers.CharField()
    item_count = serializers.IntegerField()
    total_cost_cents = serializers.IntegerField()
    items = ReorderLineSerializer(many=True)


class ReorderSuggestionsSerializer(serializers.Serializer):
    store = serializers.CharField()
    total_cost_cents = serializers.IntegerField()
    suppliers = ReorderGroupSerializer(many=True)


class WasteItemSerializer(serializers.Serializer):
    item = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    unit = serializers.CharField()
    quantity = serializers.DecimalField(**QUANTITY_FIELD)
    cost_cents = serializers.IntegerField()
    count = serializers.IntegerField()
    reasons = serializers.DictField(child=serializers.DecimalField(**QUANTITY_FIELD))


class WasteCategorySerializer(serializers.Serializer):
    category = serializers.CharField()
    quantity = serializers.DecimalField(**QUANTITY_FIELD)
    cost_cents = serializers.IntegerField()
    count = serializers.IntegerField()


class WasteReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()
    quantity = serializers.DecimalField(**QUANTITY_FIELD)
    cost_cents = serializers.IntegerField()
    count = serializers.IntegerField()


class WasteAnalysisSerializer(serializers.Serializer):
    store = serializers.CharField()
    start = DayField()
    end = DayField()
    total_cost_cents = serializers.IntegerField()
    count = serializers.IntegerField()
    by_item = WasteItemSerializer(many=True)
    by_category = WasteCategorySerializer(many=True)
    by_reason = WasteReasonSerializer(many=True)


class StoreQuerySerializer(serializers.Serializer):
    store = serializers.CharField(max_length=50, required=False)


class WasteQuerySerializer(StoreQuerySerializer):
    start = DayField(required=False)
    end = DayField(required=False)

    def validate(self, attrs):
        # The last 30 days by default, at most a year and a day (zhilian.dates, one range rule).
        attrs["start"], attrs["end"] = requested_range(
            attrs.get("start"), attrs.get("end"), default_days=30, max_days=367
        )
        return attrs


# --- stock counts (盘点) ------------------------------------------------------------------------


def _user_name(user) -> str:
    return "" if user is None else (user.full_name or user.username)


class StockCountLineSerializer(ModelSerializer):
    """A line of a count sheet (read): the book quantity at opening and the counted quantity."""

    item_name = serializers.CharField(source="item.name", read_only=True)
    sku = serializers.CharField(source="item.sku", read_only=True)
    unit = serializers.CharField(source="item.unit", read_only=True)

    class Meta:
        model = StockCountLine
        fields = [
            "id",
            "item",
            "item_name",
            "sku",
            "unit",
            "expected_quantity",
            "counted_quantity",
            "unit_cost_cents",
        ]
        read_only_fields = fields


class StockCountSerializer(BaseModelSerializer):
    """A count sheet's header. Created (opened) through inventory.services.stock_count_open, which
    writes a line per active item; only `notes` changes afterwards, and only while open."""

    opened_by_name = serializers.SerializerMethodField()
    closed_by_name = serializers.SerializerMethodField()
    line_count = serializers.IntegerField(read_only=True, help_text="Lines on the sheet.")
    counted_count = serializers.IntegerField(read_only=True, help_text="Lines with a counted quantity.")
    count_date = DayField(
        required=False,
        help_text="The day whose closing stock is counted (default: today); "
        "a count taken in the morning before service is dated the day before.",
    )

    class Meta:
        model = StockCount
        fields = [
            "id",
            "store",
            "count_date",
            "status",
            "notes",
            "line_count",
            "counted_count",
            "opened_by",
            "opened_by_name",
            "closed_by",
            "closed_by_name",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "opened_by", "closed_by", "closed_at", "created_at", "updated_at"]
        # "One open count per store" is the service's 409 (count_open), not a field error.
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            # The store and day of a count never change: another count is another sheet.
            fields["store"].read_only = True
            fields["count_date"].read_only = True
        return fields

    def validate(self, attrs):
        if self.instance is None:
            attrs.setdefault("count_date", timezone.localdate())
        return super().validate(attrs)

    def model_validation_exclude(self) -> set[str]:
        # "One open count per store" is the service's 409 (count_open), not a field error.
        return {*super().model_validation_exclude(), "store"}

    def get_opened_by_name(self, obj) -> str:
        return _user_name(obj.opened_by)

    def get_closed_by_name(self, obj) -> str:
        return _user_name(obj.closed_by)

    def create(self, validated_data):
        return services.stock_count_open(user=self._user, **validated_data)

    def update(self, instance, validated_data):
        return services.stock_count_update(count=instance, user=self._user, notes=validated_data.get("notes", ""))


class StockCountDetailSerializer(StockCountSerializer):
    lines = StockCountLineSerializer(many=True, read_only=True)

    class Meta(StockCountSerializer.Meta):
        fields = [*StockCountSerializer.Meta.fields, "lines"]


class StockCountRecordSerializer(serializers.Serializer):
    """One entry of a handheld's batch (documents the body; inventory.services checks it)."""

    item = serializers.CharField(help_text="Inventory item ID (a line of the sheet).")
    counted_quantity = serializers.DecimalField(
        **QUANTITY_FIELD, min_value=Decimal("0"), allow_null=True, help_text="Counted stock; null clears the line."
    )


class VarianceLineSerializer(serializers.Serializer):
    item = serializers.CharField()
    sku = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    category = serializers.CharField()
    unit_cost_cents = serializers.IntegerField()
    opening_quantity = serializers.DecimalField(**QUANTITY_FIELD)
    purchases = serializers.DecimalField(**QUANTITY_FIELD)
    transfers_in = serializers.DecimalField(**QUANTITY_FIELD)
    transfers_out = serializers.DecimalField(**QUANTITY_FIELD)
    closing_quantity = serializers.DecimalField(**QUANTITY_FIELD)
    actual_usage = serializers.DecimalField(
        **QUANTITY_FIELD, help_text="opening + purchases + transfers in - transfers out - closing"
    )
    theoretical_usage = serializers.DecimalField(**QUANTITY_FIELD, help_text="Sold portions x recipe.")
    waste = serializers.DecimalField(**QUANTITY_FIELD, help_text="Recorded waste (part of the actual usage).")
    waste_by_reason = serializers.DictField(child=serializers.DecimalField(**QUANTITY_FIELD))
    variance_quantity = serializers.DecimalField(**QUANTITY_FIELD, help_text="actual - theoretical - waste")
    variance_cents = serializers.IntegerField(help_text="The unexplained variance at the unit cost.")
    variance_pct = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, help_text="% of the theoretical usage (null: none)."
    )
    theoretical_cost_cents = serializers.IntegerField()
    actual_cost_cents = serializers.IntegerField()
    waste_cost_cents = serializers.IntegerField()


class VarianceTotalsSerializer(serializers.Serializer):
    theoretical_cost_cents = serializers.IntegerField()
    actual_usage_cost_cents = serializers.IntegerField()
    waste_cost_cents = serializers.IntegerField()
    unexplained_cost_cents = serializers.IntegerField()
    revenue_cents = serializers.IntegerField(help_text="Orders of the period that are not cancelled.")
    theoretical_food_cost_pct = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    actual_food_cost_pct = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    food_cost_gap_pct = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, help_text="actual - theoretical, in points."
    )


class VarianceReportSerializer(serializers.Serializer):
    store = serializers.CharField()
    opening_count = serializers.IntegerField()
    closing_count = serializers.IntegerField()
    start = serializers.DateField(help_text="First day of the period (the day after the opening count).")
    end = serializers.DateField(help_text="Last day of the period (the closing count's day).")
    lines = VarianceLineSerializer(many=True)
    totals = VarianceTotalsSerializer()


class VarianceQuerySerializer(serializers.Serializer):
    from_count = serializers.IntegerField(
        required=False, help_text="The opening count (default: the store's previous closed count)."
    )
