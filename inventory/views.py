from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from inventory import reports, selectors, services
from inventory.filters import InventoryItemFilter, InventoryTransactionFilter, StockCountFilter
from inventory.models import InventoryItem, InventoryTransaction, StockCount, StockCountLine
from inventory.serializers import (
    InventoryItemSerializer,
    InventoryTransactionCreateSerializer,
    InventoryTransactionSerializer,
    ReorderSuggestionsSerializer,
    StockCountDetailSerializer,
    StockCountRecordSerializer,
    StockCountSerializer,
    StoreQuerySerializer,
    VarianceQuerySerializer,
    VarianceReportSerializer,
    WasteAnalysisSerializer,
    WasteQuerySerializer,
)
from zhilian import roles
from zhilian.api.stores import requested_store
from zhilian.api.viewsets import ScopedCreateReadViewSet, ScopedModelViewSet, StoreScopedMixin
from zhilian.db import replica_reads
from zhilian.errors import NotFound

CONFLICT = OpenApiResponse(description="A business rule refused the change (detail + code).")

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


class StockCountViewSet(
    StoreScopedMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Stock counts (盘点). Creating one opens a sheet of every active item with its book quantity
    (409 `count_open` while the store has another open count); staff enter counted quantities
    (`PATCH {id}/lines/`), a manager closes it (`POST {id}/close/`) into `adjustment` ledger rows.
    A closed count is read-only (409 `locked`); counts are never deleted.

    Filters: `store`, `status`, `count_date_after`, `count_date_before`.
    """

    queryset = StockCount.objects.select_related("opened_by", "closed_by").annotate(
        line_count=Count("lines"), counted_count=Count("lines", filter=Q(lines__counted_quantity__isnull=False))
    )
    serializer_class = StockCountSerializer
    filterset_class = StockCountFilter
    search_fields = ["notes"]
    ordering_fields = ["count_date", "status", "closed_at", "created_at"]
    ordering = ["-count_date", "-id"]

    @staticmethod
    def _with_lines(queryset):
        lines = StockCountLine.objects.select_related("item").order_by("item__name", "item_id")
        return queryset.prefetch_related(Prefetch("lines", queryset=lines))

    def get_queryset(self):
        queryset = super().get_queryset()
        return self._with_lines(queryset) if self.action == "retrieve" else queryset

    def get_serializer_class(self):
        return StockCountDetailSerializer if self.action == "retrieve" else StockCountSerializer

    def _detail(self, pk) -> Response:
        count = self._with_lines(self.queryset.for_user(self.request.user)).get(pk=pk)
        return Response(StockCountDetailSerializer(count, context=self.get_serializer_context()).data)

    @extend_schema(responses={201: StockCountDetailSerializer, 409: CONFLICT})
    def create(self, request, *args, **kwargs):
        serializer = StockCountSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        count = serializer.save()
        response = self._detail(count.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(responses={200: StockCountDetailSerializer, 409: CONFLICT})
    def update(self, request, *args, **kwargs):
        super().update(request, *args, **kwargs)
        return self._detail(kwargs["pk"])

    @extend_schema(
        summary="Enter counted quantities (a handheld's batch)",
        description="A list of `{item, counted_quantity}` (null clears a line). All or nothing: an invalid "
        'entry refuses the batch with 400 `{"lines": [{}, {"counted_quantity": [...]}]}` by position. '
        "409 `locked` once the count is closed.",
        request=StockCountRecordSerializer(many=True),
        responses={200: StockCountDetailSerializer, 400: OpenApiResponse(description="Errors by line."), 409: CONFLICT},
    )
    @action(detail=True, methods=["patch"], role_action=roles.COUNT_RECORD)
    def lines(self, request, pk=None):
        count = self.get_object()
        body = request.data
        if isinstance(body, dict) and "lines" in body:
            body = body["lines"]
        services.stock_count_record(count=count, quantities=body, user=request.user)
        return self._detail(count.pk)

    @extend_schema(
        summary="Close the count into the ledger",
        description="Writes one `adjustment` row per item whose counted quantity differs from the book "
        "quantity now (sales go on while counting), in one transaction, by the closing user; then "
        "`stock.count_closed`. 409 `count_incomplete` (with `uncounted`) while lines are not counted.",
        request=None,
        responses={200: StockCountDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], role_action=roles.COUNT_CLOSE)
    def close(self, request, pk=None):
        count = self.get_object()
        services.stock_count_close(count=count, user=request.user)
        return self._detail(count.pk)

    @extend_schema(
        summary="Theoretical vs actual usage up to this count",
        description="Between the store's previous closed count (or `from_count`) and this one: per item "
        "actual usage (opening + purchases + transfers in - transfers out - closing), theoretical usage "
        "(sold portions x recipe), waste by reason and the unexplained variance in quantity, cents and % "
        "(worst first); totals with revenue and the theoretical and actual food cost %. 409 "
        "`no_previous_count` without an earlier closed count, `count_open` for an open count.",
        parameters=[VarianceQuerySerializer],
        responses={200: VarianceReportSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["get"], role_action=roles.VIEW, filter_backends=[], pagination_class=None)
    @replica_reads
    def variance(self, request, pk=None):
        query = VarianceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        count = self.get_object()
        from_count = query.validated_data.get("from_count")
        if from_count is None:
            report = reports.stock_variance_for_count(count)
        else:
            opening = StockCount.objects.for_user(request.user).filter(pk=from_count).first()
            if opening is None:
                raise NotFound("No such stock count.")
            report = reports.stock_variance(opening=opening, closing=count)
        return Response(VarianceReportSerializer(report).data)
