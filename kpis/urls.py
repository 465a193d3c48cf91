from django.urls import path
from rest_framework.routers import SimpleRouter

from kpis.chain.views import ChainChartView, ChainReportExportView, ChainReportView
from kpis.views import KPIRecordViewSet, KPIViewSet

app_name = "kpis"
router = SimpleRouter()
# Records first: "kpis/{pk}/" would otherwise swallow "kpis/records/".
router.register("kpis/records", KPIRecordViewSet, basename="kpirecord")
router.register("kpis", KPIViewSet, basename="kpi")

# GET kpis/dashboard/ is the dashboard app's (zhilian/urls.py includes it before these).
urlpatterns = [
    path("reports/chain/", ChainReportView.as_view(), name="chain-report"),
    path("reports/chain/export/", ChainReportExportView.as_view(), name="chain-report-export"),
    path("reports/chain/chart/", ChainChartView.as_view(), name="chain-report-chart"),
    *router.urls,
]
