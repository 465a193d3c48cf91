from rest_framework.routers import SimpleRouter

from scheduling.exchange_views import OpenShiftViewSet, ShiftSwapViewSet
from scheduling.leave_views import AvailabilityViewSet, LeaveRequestViewSet
from scheduling.views import ScheduleViewSet, ShiftViewSet

app_name = "scheduling"
router = SimpleRouter()
router.register("schedules", ScheduleViewSet, basename="schedule")
router.register("shifts", ShiftViewSet, basename="shift")
router.register("leave-requests", LeaveRequestViewSet, basename="leaverequest")
router.register("availability", AvailabilityViewSet, basename="availability")
router.register("open-shifts", OpenShiftViewSet, basename="open-shift")
router.register("shift-swaps", ShiftSwapViewSet, basename="shift-swap")

urlpatterns = router.urls
