from django.db.models import Case, IntegerField, Value, When
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from inventory import selectors, services
from inventory.filters import InventoryItemFilter, InventoryTransactionFilter
from inventory.models import InventoryItem, InventoryTransaction
from inventory.serializers import (
    InventoryItemSerializer,
    InventoryTransactionCreateSerializer,
    InventoryTransactionSerializer,
    ReorderSuggestionsSerializer,
    StoreQuerySerializer,
    WasteAnalysisSerializer,
    WasteQuerySerializer,
)
from zhilian import roles
from zhilian.api.stores import requested_store
from zhilian.api.viewsets import ScopedCreateReadViewSet, ScopedModelViewSet

STORE_PARAM = OpenApiParameter(
    "store", OpenApiTypes.STR, description="Store ID (defaults to the user's own store; required for admins)"
)


class InventoryItemViewSet(ScopedModelViewSet):
    """Stock items of a store. `current_quantity` and `status` change only through the ledger
    (/inventory-transactions/)."""

    queryset = InventoryItem.objects.select_related("store")
    serializer_class = InventoryItemSerializer
    filterset_class = InventoryItemFilter
    search_fields = ["id", "name", "supplier_name"]
    ordering_fields = ["id", "name", "category", "current_quantity", "min_quantity", "status", "updated_at"]
    ordering = ["store", "name"]

    list_from_rows = (selectors.item_rows, selectors.item_payloads)

    @extend_schema(
        summary="Items at or below their reorder point",
        description="Active items whose status is low, critical or out of stock, worst first. "
        "Accepts the list filters (store, category, status, supplier).",
        responses=InventoryItemSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="low-stock")
    def low_stock(self, request):
        severity = Case(
            *(When(status=s, then=Value(rank)) for s, rank in services.SEVERITY.items()),
            output_field=IntegerField(),
        )
        queryset = (
            self.filter_queryset(self.get_queryset())
            .filter(is_active=True)
            .exclude(status=InventoryItem.Status.NORMAL)
            .order_by(severity.desc(), "store_id", "name")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="What to order, by supplier",
        description="Active items at or below their reorder point, with the quantity that brings each "
        "to its par level and its cost (quantity x unit cost, in cents), grouped by supplier.",
        parameters=[STORE_PARAM],
        responses=ReorderSuggestionsSerializer,
    )
    @action(detail=False, methods=["get"], url_path="reorder-suggestions", filter_backends=[], pagination_class=None)
    def reorder_suggestions(self, request):
        query = StoreQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        store = requested_store(request, query.validated_data.get("store"))
        groups = selectors.stock_reorder_suggestions(store=store)
        body = {"store": store.pk, "total_cost_cents": sum(g["total_cost_cents"] for g in groups), "suppliers": groups}
        return Response(ReorderSuggestionsSerializer(body).data)

    @extend_schema(
        summary="Waste by item, category and reason",
        description="Waste recorded between `start` and `end` (inclusive dates in the store's time zone; "
        "by default the last 30 days), aggregated by item, by category and by reason.",
        parameters=[
            STORE_PARAM,
            OpenApiParameter("start", OpenApiTypes.DATE, description="First day (default: 29 days before end)"),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last day (default: today)"),
        ],
        responses=WasteAnalysisSerializer,
    )
    @action(detail=False, methods=["get"], url_path="waste-analysis", filter_backends=[], pagination_class=None)
    def waste_analysis(self, request):
        query = WasteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        store = requested_store(request, query.validated_data.get("store"))
        report = selectors.stock_waste_analysis(
            store=store, start=query.validated_data["start"], end=query.validated_data["end"]
        )
        return Response(WasteAnalysisSerializer(report).data)


@extend_schema_view(
    create=extend_schema(
        summary="Record a stock movement",
        description="Purchase, usage, waste (with waste_reason), adjustment (with counted_quantity) or "
        "transfer (with to_store). The sign comes from the type. Staff may record usage and waste only. "
        "Stock never goes below zero: 409 `insufficient_stock` names the quantity on hand. "
        "A transfer answers with the outgoing row; its `counterpart` is the incoming row.",
        request=InventoryTransactionCreateSerializer,
        responses={201: InventoryTransactionSerializer},
    )
)
class InventoryTransactionViewSet(ScopedCreateReadViewSet):
    """The stock ledger: rows are created and read, never updated or deleted (405)."""

    queryset = InventoryTransaction.objects.select_related("item", "performed_by")
    serializer_class = InventoryTransactionSerializer
    filterset_class = InventoryTransactionFilter
    search_fields = ["item__name", "item__id", "reference_id", "notes"]
    ordering_fields = ["transaction_time", "quantity", "total_cost_cents", "transaction_type"]
    ordering = ["-transaction_time"]

    def create(self, request, *args, **kwargs):
        serializer = InventoryTransactionCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        kind = serializer.validated_data["transaction_type"]
        if not roles.can(request.user, f"record_{kind}", InventoryTransaction._meta.label_lower):
            raise PermissionDenied(f"Your role may not record {InventoryTransaction.Type(kind).label.lower()}.")
        entry = serializer.record(user=request.user)
        entry = self.get_queryset().get(pk=entry.pk)
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)
