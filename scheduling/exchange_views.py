"""Open shifts and shift swaps over the API: thin views, every rule in scheduling.services."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from scheduling import exchange_selectors as selectors
from scheduling import services
from scheduling.exchange_serializers import (
    OpenShiftCreateSerializer,
    OpenShiftSerializer,
    ReasonSerializer,
    ShiftSwapCreateSerializer,
    ShiftSwapRequestSerializer,
)
from scheduling.filters import OpenShiftFilter, ShiftSwapRequestFilter
from stores.models import Employee
from zhilian.api.viewsets import ScopedReadOnlyViewSet
from zhilian.errors import DomainError

CONFLICT = OpenApiResponse(description="A business rule refused the change (detail, code, rules).")


def _my_employee(user) -> Employee:
    employee = Employee.objects.filter(user=user).first()
    if employee is None:
        raise DomainError(_("Your login is not linked to an employee."), code="no_employee")
    return employee


class OpenShiftViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Open shifts (unfilled demand from generation, or posted by a manager); staff see those of
    published days. `claim`: the signed-in employee takes it (first claim wins; 409 for the loser
    or when a rule refuses). `approve` / `reject` a pending claim, `cancel` an open shift (managers).

    Filters: `store`, `schedule`, `date`, `date_from`, `date_to`, `position`, `status`, `source`.
    """

    queryset = selectors.open_shift_queryset()
    serializer_class = OpenShiftSerializer
    filterset_class = OpenShiftFilter
    search_fields = ["position", "notes", "claimed_by__name"]
    ordering_fields = ["starts_at", "position", "status", "created_at"]
    ordering = ["starts_at", "position"]

    def _reply(self, open_shift, code=status.HTTP_200_OK):
        row = selectors.open_shift_queryset().get(pk=open_shift.pk)
        return Response(OpenShiftSerializer(row, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=OpenShiftCreateSerializer, responses={201: OpenShiftSerializer, 400: None})
    def create(self, request, *args, **kwargs):
        params = OpenShiftCreateSerializer(data=request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        open_shift = services.open_shift_create(actor=request.user, **params.validated_data)
        return self._reply(open_shift, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: OpenShiftSerializer(many=True)})
    @action(detail=False, methods=["get"], role_action="claim", pagination_class=None, filter_backends=[])
    def claimable(self, request):
        """Open shifts the signed-in employee may claim (their position and skills, not started)."""
        rows = selectors.claimable_open_shifts(request.user, _my_employee(request.user))
        return Response(OpenShiftSerializer(rows, many=True, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: OpenShiftSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], role_action="claim")
    def claim(self, request, pk=None):
        open_shift = self.get_object()
        employee = _my_employee(request.user)
        return self._reply(services.open_shift_claim(actor=request.user, open_shift=open_shift, employee=employee))

    @extend_schema(request=None, responses={200: OpenShiftSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], role_action="approve")
    def approve(self, request, pk=None):
        return self._reply(services.open_shift_approve(actor=request.user, open_shift=self.get_object()))

    @extend_schema(request=ReasonSerializer, responses={200: OpenShiftSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], role_action="reject")
    def reject(self, request, pk=None):
        params = ReasonSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        open_shift = services.open_shift_reject(
            actor=request.user, open_shift=self.get_object(), reason=params.validated_data["reason"]
        )
        return self._reply(open_shift)

    @extend_schema(request=ReasonSerializer, responses={200: OpenShiftSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], role_action="cancel")
    def cancel(self, request, pk=None):
        params = ReasonSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        open_shift = services.open_shift_cancel(
            actor=request.user, open_shift=self.get_object(), reason=params.validated_data["reason"]
        )
        return self._reply(open_shift)


class ShiftSwapViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Swap and drop requests. Staff offer their own future published shifts (`swap` to a named
    colleague, `drop` to anyone eligible); the colleague (or anyone, for a drop) `accept`s; a manager
    `approve`s (the shift moves after the rule check: 409 listing broken rules) or `reject`s; the
    requester may `cancel` before a decision.

    Filters: `store`, `shift`, `kind`, `status`, `requested_by`, `target`, `taker`, `date_from`, `date_to`.
    """

    queryset = selectors.swap_request_queryset()
    serializer_class = ShiftSwapRequestSerializer
    filterset_class = ShiftSwapRequestFilter
    search_fields = ["requested_by__name", "target__name", "taker__name", "reason"]
    ordering_fields = ["created_at", "status"]
    ordering = ["-created_at"]

    def _reply(self, swap, code=status.HTTP_200_OK):
        row = selectors.swap_request_queryset().get(pk=swap.pk)
        return Response(ShiftSwapRequestSerializer(row, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=ShiftSwapCreateSerializer, responses={201: ShiftSwapRequestSerializer, 409: CONFLICT})
    def create(self, request, *args, **kwargs):
        params = ShiftSwapCreateSerializer(data=request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        swap = services.swap_request_create(actor=request.user, **params.validated_data)
        return self._reply(swap, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ShiftSwapRequestSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], role_action="accept")
    def accept(self, request, pk=None):
        swap = services.swap_request_accept(
            actor=request.user, swap_request=self.get_object(), employee=_my_employee(request.user)
        )
        return self._reply(swap)

    @extend_schema(request=None, responses={200: ShiftSwapRequestSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], role_action="approve")
    def approve(self, request, pk=None):
        return self._reply(services.swap_request_approve(actor=request.user, swap_request=self.get_object()))

    @extend_schema(request=ReasonSerializer, responses={200: ShiftSwapRequestSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], role_action="reject")
    def reject(self, request, pk=None):
        params = ReasonSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        swap = services.swap_request_reject(
            actor=request.user, swap_request=self.get_object(), reason=params.validated_data["reason"]
        )
        return self._reply(swap)

    @extend_schema(request=None, responses={200: ShiftSwapRequestSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], role_action="cancel")
    def cancel(self, request, pk=None):
        return self._reply(services.swap_request_cancel(actor=request.user, swap_request=self.get_object()))
