from django.urls import path
from rest_framework.routers import SimpleRouter

from kpis.views import DashboardView, KPIRecordViewSet, KPIViewSet

app_name = "kpis"
router = SimpleRouter()
# Records first: "kpis/{pk}/" would otherwise swallow "kpis/records/".
router.register("kpis/records", KPIRecordViewSet, basename="kpirecord")
router.register("kpis", KPIViewSet, basename="kpi")

urlpatterns = [
    path("kpis/dashboard/", DashboardView.as_view(), name="dashboard"),
    *router.urls,
]
