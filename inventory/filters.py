from django_filters import rest_framework as filters

from inventory.models import InventoryItem, InventoryTransaction, StockCount
from zhilian.api.filters import DateFromToRangeFilter, FilterSet, IsoDateTimeFromToRangeFilter


class InventoryItemFilter(FilterSet):
    store = filters.CharFilter(field_name="store_id", help_text="Store ID")
    category = filters.MultipleChoiceFilter(choices=InventoryItem.Category.choices)
    status = filters.MultipleChoiceFilter(choices=InventoryItem.Status.choices, help_text="Repeat for several.")
    is_active = filters.BooleanFilter()
    supplier = filters.CharFilter(field_name="supplier_name", lookup_expr="icontains")

    class Meta:
        model = InventoryItem
        fields = ["store", "category", "status", "is_active", "supplier"]


class InventoryTransactionFilter(FilterSet):
    store = filters.CharFilter(field_name="store_id", help_text="Store ID")
    item = filters.CharFilter(field_name="item_id", help_text="Inventory item ID")
    transaction_type = filters.MultipleChoiceFilter(choices=InventoryTransaction.Type.choices)
    waste_reason = filters.MultipleChoiceFilter(choices=InventoryTransaction.WasteReason.choices)
    performed_by = filters.UUIDFilter(field_name="performed_by_id")
    time = IsoDateTimeFromToRangeFilter(
        field_name="transaction_time", help_text="time_after / time_before (ISO 8601 date-times)"
    )
    date = DateFromToRangeFilter(
        field_name="transaction_time__date", help_text="date_after / date_before (inclusive dates)"
    )

    class Meta:
        model = InventoryTransaction
        fields = ["store", "item", "transaction_type", "waste_reason", "performed_by", "time", "date"]


class StockCountFilter(FilterSet):
    store = filters.CharFilter(field_name="store_id", help_text="Store ID")
    status = filters.ChoiceFilter(choices=StockCount.Status.choices)
    count_date = DateFromToRangeFilter(help_text="count_date_after / count_date_before (inclusive dates)")

    class Meta:
        model = StockCount
        fields = ["store", "status", "count_date"]
