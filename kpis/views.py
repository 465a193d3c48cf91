"""KPI definitions and records (with the compute action). The dashboard summary: dashboard.views."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from kpis import services
from kpis.filters import KPIFilter, KPIRecordFilter
from kpis.models import KPI, KPIRecord
from kpis.serializers import (
    ComputeRequestSerializer,
    ComputeResponseSerializer,
    KPIRecordSerializer,
    KPISerializer,
)
from stores.models import Store
from zhilian.api.stores import requested_store
from zhilian.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet


class KPIViewSet(ScopedModelViewSet):
    """KPI definitions: admins edit them, everyone signed in reads them."""

    queryset = KPI.objects.all()
    serializer_class = KPISerializer
    filterset_class = KPIFilter
    search_fields = ["id", "name", "description"]
    ordering_fields = ["id", "name", "category", "metric", "created_at"]
    ordering = ["category", "id"]


class KPIRecordViewSet(ScopedReadOnlyViewSet):
    """Computed KPI records of the stores the user may see."""

    queryset = KPIRecord.objects.select_related("kpi", "store")
    serializer_class = KPIRecordSerializer
    filterset_class = KPIRecordFilter
    search_fields = ["kpi__id", "kpi__name", "store__name"]
    ordering_fields = ["record_date", "value", "achievement_rate", "change_rate", "status", "kpi", "store"]
    ordering = ["-record_date", "kpi__category", "kpi_id"]

    @extend_schema(
        request=ComputeRequestSerializer,
        responses={200: ComputeResponseSerializer},
        summary="Compute KPI records",
        description="Computes (upserts) the records of every active KPI for a store (admins: all active stores "
        "when omitted; managers: their own store by default) and a day (default yesterday) or a date range.",
    )
    @action(detail=False, methods=["post"], role_action="compute")
    def compute(self, request):
        params = ComputeRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        store = requested_store(request, data.get("store"), required=False)
        stores = [store] if store is not None else None
        if store is not None and data["start"] == data["end"]:
            records = services.kpi_compute_day(store=store, day=data["start"])
        else:
            services.kpi_compute(stores=stores, start=data["start"], end=data["end"])
            ids = [store.pk] if store else Store.objects.filter(status=Store.Status.ACTIVE).values("pk")
            records = (
                KPIRecord.objects.filter(
                    store_id__in=ids, record_date__range=(data["start"], data["end"]), kpi__is_active=True
                )
                .select_related("kpi", "store")
                .order_by("store_id", "record_date", "kpi__category", "kpi_id")
            )
        body = KPIRecordSerializer(records, many=True).data
        return Response({"count": len(body), "results": body})
