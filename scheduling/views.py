"""Thin API views: scoping and (de)serialization here, every rule in scheduling.services."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from scheduling import selectors, services
from scheduling.filters import ScheduleFilter, ShiftFilter
from scheduling.models import Schedule, Shift
from scheduling.serializers import (
    GenerateResultSerializer,
    GenerateSerializer,
    ScheduleBudgetSerializer,
    ScheduleSerializer,
    ShiftSerializer,
)
from zhilian.api.viewsets import ScopedModelViewSet

CONFLICT = OpenApiResponse(description="A business rule refused the change (detail + code).")


def schedule_queryset():
    """Schedules with their shifts (employee joined) and labor totals: a fixed number of queries."""
    shifts = Shift.objects.select_related("employee").order_by("starts_at", "employee_id")
    return selectors.schedules_with_labor(Schedule.objects.prefetch_related(Prefetch("shifts", queryset=shifts)))


class ScheduleViewSet(ScopedModelViewSet):
    """Schedules of a store and day, with their shifts and labor totals (staff see published ones only).

    Filters: `store`, `date`, `date_from`, `date_to`, `is_published`. Deleting refuses published days.
    """

    queryset = schedule_queryset()
    serializer_class = ScheduleSerializer
    filterset_class = ScheduleFilter
    search_fields = ["store__name", "store__id", "notes"]
    ordering_fields = ["schedule_date", "store", "total_staff", "labor_cost_cents", "published_at"]
    ordering = ["-schedule_date", "store"]

    def get_queryset(self):
        # The class attribute is evaluated once; rebuild so each request gets a fresh queryset.
        return schedule_queryset().for_user(self.request.user)

    def _annotated(self, pk):
        return schedule_queryset().get(pk=pk)

    def perform_create(self, serializer):
        data = serializer.validated_data
        schedule = services.schedule_create(
            store=data["store"],
            schedule_date=data["schedule_date"],
            notes=data.get("notes", ""),
            user=self.request.user,
        )
        serializer.instance = self._annotated(schedule.pk)

    def perform_update(self, serializer):
        schedule = services.schedule_update(
            schedule=serializer.instance, user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self._annotated(schedule.pk)

    def perform_destroy(self, instance):
        services.schedule_delete(schedule=instance, user=self.request.user)

    @extend_schema(
        request=GenerateSerializer,
        responses={200: GenerateResultSerializer, 400: OpenApiResponse(description="Bad input"), 409: CONFLICT},
        description="Generate (or regenerate) the unpublished schedule of a store for one day or a range "
        "of days from the expected demand. Published days answer 409 (single day) or are skipped (range).",
    )
    @action(detail=False, methods=["post"], role_action="generate", serializer_class=GenerateSerializer)
    def generate(self, request):
        params = GenerateSerializer(data=request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        if "date" in data:
            results = [services.schedule_generate(store=data["store"], day=data["date"], user=request.user)]
        else:
            results = services.schedule_generate_range(
                store=data["store"], start=data["start_date"], end=data["end_date"], user=request.user
            )
        schedules = schedule_queryset().in_bulk([s.pk for s, _ in results])
        context = self.get_serializer_context()
        body = {
            "results": [
                {"schedule": ScheduleSerializer(schedules[s.pk], context=context).data, "report": report}
                for s, report in results
            ]
        }
        return Response(body, status=status.HTTP_200_OK)

    @extend_schema(
        request=None,
        responses={200: ScheduleBudgetSerializer},
        description="The labor budget of the schedule's ISO week, per day and for the week: forecast sales, "
        "scheduled hours, labor cost and labor % against the store's target (managers and admins).",
    )
    @action(detail=True, methods=["get"], role_action="budget")
    def budget(self, request, pk=None):
        schedule = self.get_object()
        return Response(ScheduleBudgetSerializer(selectors.schedule_budget(schedule=schedule)).data)

    @extend_schema(request=None, responses={200: ScheduleSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], role_action="publish")
    def publish(self, request, pk=None):
        schedule = self.get_object()
        services.schedule_publish(schedule=schedule, user=request.user)
        return Response(ScheduleSerializer(self._annotated(schedule.pk), context=self.get_serializer_context()).data)


class ShiftViewSet(ScopedModelViewSet):
    """Shifts; created and changed only on unpublished schedules, never overlapping an employee's other
    shifts nor exceeding their weekly cap (409), always with an employee of the schedule's store (400).

    Filters: `store`, `schedule`, `employee`, `date`, `date_from`, `date_to`, `shift_type`, `position`,
    `is_confirmed`, `is_completed`.
    """

    queryset = Shift.objects.select_related("employee", "schedule")
    serializer_class = ShiftSerializer
    filterset_class = ShiftFilter
    search_fields = ["employee__name", "employee__id", "position", "notes"]
    ordering_fields = ["starts_at", "ends_at", "schedule__schedule_date", "employee", "position"]
    ordering = ["starts_at", "employee"]

    list_from_rows = (selectors.shift_rows, selectors.shift_payloads)

    def perform_create(self, serializer):
        serializer.instance = services.shift_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        shift = services.shift_update(shift=serializer.instance, user=self.request.user, **serializer.validated_data)
        serializer.instance = Shift.objects.select_related("employee", "schedule").get(pk=shift.pk)

    def perform_destroy(self, instance):
        services.shift_delete(shift=instance, user=self.request.user)

    @extend_schema(
        request=None, responses={200: ShiftSerializer, 403: OpenApiResponse(description="Not yours"), 409: CONFLICT}
    )
    @action(detail=True, methods=["post"], role_action="confirm")
    def confirm(self, request, pk=None):
        shift = self.get_object()
        shift = services.shift_confirm(shift=shift, user=request.user)
        shift = Shift.objects.select_related("employee", "schedule").get(pk=shift.pk)
        return Response(ShiftSerializer(shift, context=self.get_serializer_context()).data)
