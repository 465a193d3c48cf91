"""Order endpoints: thin views over orders.services."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from orders import services
from orders.filters import OrderFilter, OrderItemFilter
from orders.models import Order, OrderItem
from orders.serializers import OrderItemSerializer, OrderSerializer, OrderTransitionSerializer
from zhilian.api.viewsets import ScopedModelViewSet


class OrderViewSet(ScopedModelViewSet):
    """Orders of the stores the user may see. Create with nested items; move with /transition/."""

    queryset = Order.objects.select_related("table", "waiter").prefetch_related("items")
    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    search_fields = ["id", "customer_name", "customer_phone"]
    ordering_fields = ["order_time", "total_cents", "status", "created_at", "id"]
    ordering = ["-order_time", "-id"]  # the ID breaks ties so pages never overlap

    # Columns the representation never shows, left in the database on reads: at 50 orders a page
    # they were ~500 timestamps and ~150 JSON documents to decode per request (the table's and the
    # waiter's bookkeeping, the waiter's skills/preferences, the lines' own timestamps).
    READ_DEFERRED = (
        "table__created_at",
        "table__updated_at",
        "waiter__created_at",
        "waiter__updated_at",
        "waiter__skills",
        "waiter__preferences",
        "waiter__training_completed",
    )

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("list", "retrieve"):
            lines = OrderItem.objects.defer("created_at", "updated_at")
            queryset = (
                queryset.defer(*self.READ_DEFERRED)
                .prefetch_related(None)  # the class queryset's plain "items", replaced by the lean one
                .prefetch_related(Prefetch("items", queryset=lines))
            )
        return queryset

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = serializer.save()
        return Response(self._represent(order), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        order = serializer.save()
        return Response(self._represent(order))

    def _represent(self, order: Order) -> dict:
        # Re-read with the list's joins so the response shows what the database holds.
        fresh = self.get_queryset().get(pk=order.pk)
        return self.get_serializer(fresh).data

    @extend_schema(
        request=OrderTransitionSerializer,
        responses={
            200: OrderSerializer,
            400: OpenApiResponse(description="Unknown status, or a cancellation without a reason"),
            409: OpenApiResponse(description="Move not allowed; `allowed` lists the moves that are"),
        },
        summary="Move the order along its workflow",
    )
    @action(detail=True, methods=["post"], role_action="transition")
    def transition(self, request, pk=None):
        order = self.get_object()
        serializer = OrderTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        moved = services.order_transition(
            order=order,
            status=serializer.validated_data["status"],
            reason=serializer.validated_data["reason"],
            user=request.user,
        )
        return Response(self._represent(moved))


class OrderItemViewSet(ScopedModelViewSet):
    """Lines of orders; adding, changing and removing go through the services (409 once locked)."""

    queryset = OrderItem.objects.select_related("order")
    serializer_class = OrderItemSerializer
    filterset_class = OrderItemFilter
    search_fields = ["item_code", "item_name", "=order__id"]
    ordering_fields = ["created_at", "item_code", "quantity", "subtotal_cents"]
    ordering = ["created_at", "id"]

    def perform_destroy(self, instance: OrderItem) -> None:
        services.order_item_remove(item=instance, user=self.request.user)
