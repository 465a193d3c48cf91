from rest_framework.routers import SimpleRouter

from scheduling.views import ScheduleViewSet, ShiftViewSet

app_name = "scheduling"
router = SimpleRouter()
router.register("schedules", ScheduleViewSet, basename="schedule")
router.register("shifts", ShiftViewSet, basename="shift")

urlpatterns = router.urls
