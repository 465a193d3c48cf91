from django.urls import path
from rest_framework.routers import SimpleRouter

from attendance.services import PUNCH_KINDS
from attendance.views import MyClockView, MyPunchView, PublicHolidayViewSet, TimeEntryViewSet, TimesheetViewSet

app_name = "attendance"
router = SimpleRouter()
router.register("time-entries", TimeEntryViewSet, basename="timeentry")
router.register("timesheets", TimesheetViewSet, basename="timesheet")
router.register("public-holidays", PublicHolidayViewSet, basename="publicholiday")

urlpatterns = [
    path("attendance/me/", MyClockView.as_view(), name="me"),
    *(
        path(
            f"attendance/me/{kind.replace('_', '-')}/",
            MyPunchView.as_view(kind=kind),
            name=f"me-{kind.replace('_', '-')}",
        )
        for kind in PUNCH_KINDS
    ),
    *router.urls,
]
