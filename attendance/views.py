"""Attendance endpoints: thin views over attendance.services and attendance.selectors."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from attendance import export, selectors, services
from attendance.filters import PublicHolidayFilter, TimeEntryFilter, TimesheetFilter
from attendance.models import PublicHoliday, TimeEntry, Timesheet
from attendance.serializers import (
    ActualsQuerySerializer,
    ClockStatusSerializer,
    ComparisonSerializer,
    ExportQuerySerializer,
    MyPunchSerializer,
    PublicHolidaySerializer,
    PunchSerializer,
    ScheduledVsActualSerializer,
    ShiftActualSerializer,
    TimeEntrySerializer,
    TimesheetSerializer,
)
from stores.models import Employee
from zhilian.api.stores import requested_store
from zhilian.api.viewsets import ScopedCreateReadViewSet, ScopedModelViewSet
from zhilian.dates import check_range
from zhilian.errors import DomainError

CONFLICT = OpenApiResponse(description="A business rule refused the change (detail + code).")
STORE_PARAM = OpenApiParameter(
    "store", OpenApiTypes.STR, description="Store ID (defaults to the user's own store; required for admins)"
)


def entry_queryset():
    return TimeEntry.objects.select_related("employee").prefetch_related("breaks")


class TimeEntryViewSet(mixins.UpdateModelMixin, ScopedCreateReadViewSet):
    """Time entries (staff see their own). Managers add a forgotten entry or correct one, always
    with `edit_reason`; an entry of an approved week is locked (409).

    Filters: `store`, `employee`, `shift`, `date`, `date_from`, `date_to`, `is_open`, `unscheduled`,
    `needs_review`, `auto_closed`.
    """

    queryset = entry_queryset()
    serializer_class = TimeEntrySerializer
    filterset_class = TimeEntryFilter
    search_fields = ["employee__name", "employee__id", "edit_reason", "notes"]
    ordering_fields = ["clock_in_at", "business_date", "employee"]
    ordering = ["-clock_in_at"]

    def perform_update(self, serializer):
        super().perform_update(serializer)
        serializer.instance = entry_queryset().get(pk=serializer.instance.pk)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        serializer.instance = entry_queryset().get(pk=serializer.instance.pk)

    @extend_schema(
        request=PunchSerializer,
        responses={200: TimeEntrySerializer, 400: OpenApiResponse(description="No reason"), 409: CONFLICT},
        summary="Punch (clock in, break start/end, clock out) for an employee of the store, with a reason",
    )
    @action(detail=False, methods=["post"], role_action=services.PUNCH_FOR_OTHERS)
    def punch(self, request):
        params = PunchSerializer(data=request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        entry = services.time_entry_punch(user=request.user, **params.validated_data)
        return Response(
            TimeEntrySerializer(entry_queryset().get(pk=entry.pk), context=self.get_serializer_context()).data
        )

    @extend_schema(
        parameters=[
            STORE_PARAM,
            OpenApiParameter("date_from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("date_to", OpenApiTypes.DATE, required=True),
        ],
        responses={200: ShiftActualSerializer(many=True)},
        summary="Scheduled vs actual per published shift: start, end, breaks, worked hours, lateness, no-shows",
    )
    @action(detail=False, methods=["get"], role_action="actuals", pagination_class=None, filter_backends=[])
    def actuals(self, request):
        params = ActualsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        start, end = params.validated_data["date_from"], params.validated_data["date_to"]
        check_range(start, end, start_field="date_from", end_field="date_to", max_days=62)
        store = requested_store(request, params.validated_data.get("store"))
        rows = selectors.shift_actuals_rows(store, start, end)
        return Response(ShiftActualSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[
            STORE_PARAM,
            OpenApiParameter("date_from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("date_to", OpenApiTypes.DATE, required=True),
        ],
        responses={200: ComparisonSerializer},
        summary="Scheduled vs actual hours and labor cost per day and per employee",
    )
    @action(detail=False, methods=["get"], role_action="actuals", pagination_class=None, filter_backends=[])
    def comparison(self, request):
        params = ActualsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        start, end = params.validated_data["date_from"], params.validated_data["date_to"]
        check_range(start, end, start_field="date_from", end_field="date_to", max_days=62)
        store = requested_store(request, params.validated_data.get("store"))
        return Response(ComparisonSerializer(selectors.labor_comparison(store, start, end)).data)

    @extend_schema(
        parameters=[
            STORE_PARAM,
            OpenApiParameter("date_from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("date_to", OpenApiTypes.DATE, required=True),
        ],
        responses={200: ScheduledVsActualSerializer},
        summary="Scheduled vs actual per employee (hours, lateness, early leave, no-shows, difference) with totals",
    )
    @action(
        detail=False,
        methods=["get"],
        role_action="actuals",
        pagination_class=None,
        filter_backends=[],
        url_path="scheduled-vs-actual",
    )
    def scheduled_vs_actual(self, request):
        params = ActualsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        start, end = params.validated_data["date_from"], params.validated_data["date_to"]
        check_range(start, end, start_field="date_from", end_field="date_to", max_days=62)
        store = requested_store(request, params.validated_data.get("store"))
        return Response(ScheduledVsActualSerializer(selectors.scheduled_vs_actual(store, start, end)).data)


def _my_employee(user) -> Employee:
    employee = Employee.objects.filter(user=user).select_related("store").first()
    if employee is None:
        raise DomainError(_("Your login is not linked to an employee."), code="no_employee")
    return employee


def _status_body(employee: Employee, request) -> dict:
    status_ = selectors.clock_status(employee)
    entry = status_["entry"]
    if entry is not None:
        entry = entry_queryset().get(pk=entry.pk)
    return {
        "state": status_["state"],
        "employee": employee.pk,
        "employee_name": employee.name,
        "break_started_at": status_["break_started_at"],
        "entry": entry,
    }


class MyClockView(APIView):
    """The signed-in staff member's time clock: where they stand (GET)."""

    resource = services.RESOURCE
    role_action = services.PUNCH

    @extend_schema(responses={200: ClockStatusSerializer, 409: CONFLICT}, summary="My time clock status")
    def get(self, request):
        employee = _my_employee(request.user)
        return Response(ClockStatusSerializer(_status_body(employee, request), context={"request": request}).data)


class MyPunchView(APIView):
    """Punch for oneself, now: clock-in, break-start, break-end, clock-out."""

    resource = services.RESOURCE
    role_action = services.PUNCH
    kind = ""

    @extend_schema(
        request=MyPunchSerializer,
        responses={200: ClockStatusSerializer, 403: OpenApiResponse(description="Not allowed"), 409: CONFLICT},
    )
    def post(self, request):
        params = MyPunchSerializer(data=request.data or {})
        params.is_valid(raise_exception=True)
        employee = _my_employee(request.user)
        services.time_entry_punch(kind=self.kind, employee=employee, user=request.user, **params.validated_data)
        body = ClockStatusSerializer(_status_body(employee, request), context={"request": request}).data
        return Response(body, status=status.HTTP_200_OK)


class TimesheetViewSet(ScopedCreateReadViewSet):
    """Weekly timesheets (staff see their own): POST computes or refreshes the draft of an
    employee's week; approving locks it; approved weeks export for payroll (CSV, XLSX).

    Filters: `store`, `employee`, `week_start`, `week_from`, `week_to`, `status`.
    """

    queryset = Timesheet.objects.select_related("employee")
    serializer_class = TimesheetSerializer
    filterset_class = TimesheetFilter
    search_fields = ["employee__name", "employee__id"]
    ordering_fields = ["week_start", "employee", "gross_pay_cents"]
    ordering = ["-week_start", "employee"]

    @extend_schema(request=None, responses={200: TimesheetSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], role_action=services.APPROVE)
    def approve(self, request, pk=None):
        timesheet = services.timesheet_approve(timesheet=self.get_object(), user=request.user)
        return Response(TimesheetSerializer(timesheet, context=self.get_serializer_context()).data)

    @extend_schema(
        parameters=[
            STORE_PARAM,
            OpenApiParameter("week_start", OpenApiTypes.DATE, required=True, description="The Monday of the week"),
            OpenApiParameter("file_type", OpenApiTypes.STR, enum=["csv", "xlsx"], description="csv (default) or xlsx"),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, export.CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
        },
        summary="Approved timesheets of a store and week for payroll",
    )
    @action(detail=False, methods=["get"], role_action="export", pagination_class=None, filter_backends=[])
    def export(self, request):
        params = ExportQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        store = requested_store(request, params.validated_data.get("store"))
        week_start, fmt = params.validated_data["week_start"], params.validated_data["file_type"]
        timesheets = selectors.approved_timesheets(store, week_start)
        body = export.as_xlsx(timesheets) if fmt == "xlsx" else export.as_csv(timesheets)
        response = HttpResponse(body, content_type=export.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{export.filename(store.pk, week_start, fmt)}"'
        return response


class PublicHolidayViewSet(ScopedModelViewSet):
    """China's holiday calendar (statutory holidays, holiday-break rest days, 调休 make-up
    workdays): everyone reads it, admins edit it. Filters: `year`, `date_from`, `date_to`, `kind`."""

    queryset = PublicHoliday.objects.all()
    serializer_class = PublicHolidaySerializer
    filterset_class = PublicHolidayFilter
    search_fields = ["name"]
    ordering_fields = ["date"]
    ordering = ["date"]
