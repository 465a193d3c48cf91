"""Thin API views for time off and availability; every rule is in scheduling.services."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from scheduling import services
from scheduling.filters import AvailabilityFilter, LeaveRequestFilter
from scheduling.leave_serializers import LeaveDecisionSerializer, LeaveRequestSerializer, StaffAvailabilitySerializer
from scheduling.models import Availability, LeaveRequest
from zhilian.api.viewsets import ScopedCreateReadViewSet, ScopedModelViewSet

CONFLICT = OpenApiResponse(description="A business rule refused the change (detail + code).")


def leave_queryset():
    return LeaveRequest.objects.select_related("employee")


class LeaveRequestViewSet(ScopedCreateReadViewSet):
    """Time-off requests (staff see and cancel their own; managers ask for anyone of the store and
    decide). Overlapping a pending or approved request of the employee is 409 `leave_overlap`;
    approving is refused (409 `leave_published_shifts`) while the employee has shifts of those days
    on a published schedule, and removes those on unpublished ones.

    Filters: `store`, `employee`, `status`, `leave_type`, `date_from`, `date_to` (requests touching
    the range).
    """

    queryset = leave_queryset()
    serializer_class = LeaveRequestSerializer
    filterset_class = LeaveRequestFilter
    search_fields = ["employee__name", "employee__id", "reason"]
    ordering_fields = ["start_date", "end_date", "created_at", "status"]
    ordering = ["-start_date", "employee"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        leave = services.leave_request_create(
            user=self.request.user,
            employee=data["employee"],
            leave_type=data["leave_type"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            reason=data.get("reason", ""),
        )
        serializer.instance = leave_queryset().get(pk=leave.pk)

    def _respond(self, leave):
        return Response(self.get_serializer(leave_queryset().get(pk=leave.pk)).data)

    def _note(self, request) -> str:
        params = LeaveDecisionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        return params.validated_data["note"]

    @extend_schema(request=LeaveDecisionSerializer, responses={200: LeaveRequestSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], role_action="decide")
    def approve(self, request, pk=None):
        leave = services.leave_request_decide(
            leave_request=self.get_object(), approve=True, note=self._note(request), user=request.user
        )
        return self._respond(leave)

    @extend_schema(request=LeaveDecisionSerializer, responses={200: LeaveRequestSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], role_action="decide")
    def deny(self, request, pk=None):
        leave = services.leave_request_decide(
            leave_request=self.get_object(), approve=False, note=self._note(request), user=request.user
        )
        return self._respond(leave)

    @extend_schema(request=LeaveDecisionSerializer, responses={200: LeaveRequestSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], role_action="cancel")
    def cancel(self, request, pk=None):
        leave = services.leave_request_cancel(
            leave_request=self.get_object(), note=self._note(request), user=request.user
        )
        return self._respond(leave)


class AvailabilityViewSet(ScopedModelViewSet):
    """When employees can work per weekday: ranges (`weekday` 0 = Monday, `start_time`, `end_time`;
    an end at or before the start is the next day) a shift must fit in. A weekday without ranges is
    open all day unless it is a stated day off. Staff read their own.

    Filters: `store`, `employee`, `weekday`.
    """

    queryset = Availability.objects.select_related("employee")
    serializer_class = StaffAvailabilitySerializer
    filterset_class = AvailabilityFilter
    ordering_fields = ["employee", "weekday", "start_time"]
    ordering = ["employee", "weekday", "start_time"]

    def perform_create(self, serializer):
        serializer.instance = services.availability_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "employee"}
        serializer.instance = services.availability_update(
            availability=serializer.instance, user=self.request.user, **data
        )

    def perform_destroy(self, instance):
        services.availability_delete(availability=instance, user=self.request.user)
