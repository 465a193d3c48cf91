from rest_framework.routers import SimpleRouter

from scheduling.leave_views import AvailabilityViewSet, LeaveRequestViewSet
from scheduling.views import ScheduleViewSet, ShiftViewSet

app_name = "scheduling"
router = SimpleRouter()
router.register("schedules", ScheduleViewSet, basename="schedule")
router.register("shifts", ShiftViewSet, basename="shift")
router.register("leave-requests", LeaveRequestViewSet, basename="leaverequest")
router.register("availability", AvailabilityViewSet, basename="availability")

urlpatterns = router.urls
