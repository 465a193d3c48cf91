from rest_framework.routers import SimpleRouter

from kpis.views import KPIRecordViewSet, KPIViewSet

app_name = "kpis"
router = SimpleRouter()
# Records first: "kpis/{pk}/" would otherwise swallow "kpis/records/".
router.register("kpis/records", KPIRecordViewSet, basename="kpirecord")
router.register("kpis", KPIViewSet, basename="kpi")

# GET kpis/dashboard/ is the dashboard app's (zhilian/urls.py includes it before these).
urlpatterns = router.urls
