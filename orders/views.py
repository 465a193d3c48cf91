"""Order endpoints: thin views over orders.services."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from orders import selectors, services
from orders.filters import OrderFilter, OrderItemFilter
from orders.models import Order, OrderItem
from orders.serializers import OrderItemSerializer, OrderSerializer, OrderTransitionSerializer
from zhilian.api.viewsets import ScopedModelViewSet


class OrderViewSet(ScopedModelViewSet):
    """Orders of the stores the user may see. Create with nested items; move with /transition/."""

    queryset = Order.objects.all()
    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    search_fields = ["id", "customer_name", "customer_phone"]
    ordering_fields = ["order_time", "total_cents", "status", "created_at", "id"]
    ordering = ["-order_time", "-id"]  # the ID breaks ties so pages never overlap

    list_from_rows = (selectors.order_rows, selectors.order_payloads)

    def retrieve(self, request, *args, **kwargs):
        # Reading an order has no object-level rule beyond store scoping (zhilian.roles), so the
        # visible queryset decides; list filters do not apply to a detail.
        return Response(self._represent(kwargs[self.lookup_field]))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = serializer.save()
        return Response(self._represent(order.pk), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        order = serializer.save()
        return Response(self._represent(order.pk))

    def _represent(self, order_id: str) -> dict:
        """The order as the database holds it, built like the list's (404 when not visible)."""
        payload = selectors.order_detail_payload(user=self.request.user, order_id=order_id)
        if payload is None:
            raise Http404
        return payload

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
        return Response(self._represent(moved.pk))


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
