"""The chain report endpoints: thin views over kpis.chain (report, chart, export)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from kpis.chain import export
from kpis.chain.chart import kpi_series
from kpis.chain.report import chain_report
from kpis.chain.serializers import (
    ChainChartQuerySerializer,
    ChainChartSerializer,
    ChainExportQuerySerializer,
    ChainQuerySerializer,
    ChainReportSerializer,
)
from zhilian import roles
from zhilian.db import replica_reads

PERIOD_PARAMS = [
    OpenApiParameter("period", OpenApiTypes.STR, enum=["day", "week", "month", "custom"], description="Default week"),
    OpenApiParameter(
        "date", OpenApiTypes.DATE, description="A day in the day/week/month (default yesterday; weeks run Mon-Sun)"
    ),
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day of a custom period"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day of a custom period (at most 367 days)"),
    OpenApiParameter("region", OpenApiTypes.STR, description="Region code: only its stores"),
]
DESCRIPTION = (
    "The stores the user sees as rows (admins: every store; a manager: their own), the active KPIs as "
    "columns, over the period: each cell has the value (sum KPIs summed; ratios recomputed from their "
    "summed parts, e.g. food cost % = Σ cost / Σ revenue; ticket time weighted by tickets), the previous "
    "period's value of the same length, the change (absolute and %), the target, the status by the KPI's "
    "thresholds over the period, and the rank among the stores (1 = best by the KPI's direction). Regions "
    "and the chain get a total and a per-store average. Answers in a fixed number of queries."
)


class ChainReportView(APIView):
    resource = "kpis.kpirecord"
    role_action = roles.VIEW

    @extend_schema(
        summary="Chain report (HQ comparison)",
        description=DESCRIPTION,
        parameters=PERIOD_PARAMS,
        responses=ChainReportSerializer,
    )
    @replica_reads
    def get(self, request):
        query = ChainQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        report = chain_report(user=request.user, period=data["period_obj"], region=data["region_obj"])
        return Response(ChainReportSerializer(report).data)


class ChainReportExportView(APIView):
    resource = "kpis.kpirecord"
    role_action = roles.VIEW

    @extend_schema(
        summary="Chain report as CSV or XLSX",
        description="The chain report as a file: one row per store, then per region and the chain (total and "
        "average per store); per KPI its value, the previous period's, the change %, the status and the rank.",
        parameters=[
            *PERIOD_PARAMS,
            OpenApiParameter(
                "file_type", OpenApiTypes.STR, enum=["csv", "xlsx"], required=True, description="csv or xlsx"
            ),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, export.CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
        },
    )
    @replica_reads
    def get(self, request):
        query = ChainExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        report = chain_report(user=request.user, period=data["period_obj"], region=data["region_obj"])
        return export_response(report, data["file_type"])


def export_response(report, fmt: str) -> HttpResponse:
    body = export.as_xlsx(report) if fmt == "xlsx" else export.as_csv(report)
    response = HttpResponse(body, content_type=export.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{export.filename(report, fmt)}"'
    return response


class ChainChartView(APIView):
    resource = "kpis.kpirecord"
    role_action = roles.VIEW

    @extend_schema(
        summary="One KPI across stores over time",
        description="The KPI's value per day (per week for periods over 92 days) for each store the user sees, "
        "or each region (`by=region`; a sum KPI's region line is its per-store average), and the target line "
        "(one store's mean target). Points without records are null.",
        parameters=[
            *PERIOD_PARAMS,
            OpenApiParameter("kpi", OpenApiTypes.STR, required=True, description="KPI id"),
            OpenApiParameter("by", OpenApiTypes.STR, enum=["store", "region"], description="Default store"),
        ],
        responses=ChainChartSerializer,
    )
    @replica_reads
    def get(self, request):
        query = ChainChartQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        series = kpi_series(
            user=request.user, kpi=data["kpi_obj"], period=data["period_obj"], by=data["by"], region=data["region_obj"]
        )
        return Response(ChainChartSerializer(series).data)
