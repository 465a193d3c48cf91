from rest_framework.routers import SimpleRouter

from scheduling.exchange_views import OpenShiftViewSet, ShiftSwapViewSet
from scheduling.views import ScheduleViewSet, ShiftViewSet

app_name = "scheduling"
router = SimpleRouter()
router.register("schedules", ScheduleViewSet, basename="schedule")
router.register("shifts", ShiftViewSet, basename="shift")
router.register("open-shifts", OpenShiftViewSet, basename="open-shift")
router.register("shift-swaps", ShiftSwapViewSet, basename="shift-swap")

urlpatterns = router.urls
