from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from reservations import selectors, services
from reservations.filters import ReservationFilter
from reservations.models import Reservation
from reservations.serializers import (
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
    FloorSerializer,
    ReservationSerializer,
    TransitionSerializer,
)
from stores.models import Table
from zhilian.api.stores import requested_store
from zhilian.api.viewsets import ScopedModelViewSet


class ReservationViewSet(ScopedModelViewSet):
    """Table and banquet reservations. Creating one books its tables (or the best free fit)."""

    queryset = Reservation.objects.select_related("store").prefetch_related(
        Prefetch("tables", queryset=Table.objects.order_by("number"))
    )
    serializer_class = ReservationSerializer
    filterset_class = ReservationFilter
    search_fields = ["customer_name", "customer_phone", "id"]
    ordering_fields = [
        "reservation_date",
        "reservation_time",
        "starts_at",
        "party_size",
        "status",
        "created_at",
        "customer_name",
    ]
    ordering = ["starts_at", "id"]

    list_from_rows = (selectors.reservation_rows, selectors.reservation_payloads)

    @extend_schema(
        request=TransitionSerializer,
        responses={
            200: ReservationSerializer,
            400: OpenApiResponse(description="Unknown status, or a cancellation without a reason."),
            409: OpenApiResponse(description="The move is not allowed from the current status; `allowed` lists moves."),
        },
    )
    @action(detail=True, methods=["post"], role_action="transition")
    def transition(self, request, pk=None):
        """Move the reservation to another status (confirm, arrive, seat, complete, cancel, no-show)."""
        reservation = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.reservation_transition(
            reservation=reservation,
            status=body.validated_data["status"],
            reason=body.validated_data["reason"],
            user=request.user,
        )
        return Response(self.get_serializer(reservation).data)

    @extend_schema(
        parameters=[AvailabilityQuerySerializer],
        responses={200: AvailabilitySerializer, 400: OpenApiResponse(description="Field errors.")},
    )
    @action(detail=False, methods=["get"], role_action="view", filter_backends=[], pagination_class=None)
    def availability(self, request):
        """Free tables and table combinations for a party at a date, time and duration."""
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        store = requested_store(request, params.get("store"))
        problems = services.reservation_slot_errors(
            store=store, day=params["date"], time=params["time"], duration_minutes=params["duration"]
        )
        found = {"tables": [], "combinations": []}
        if not problems:
            found = selectors.reservation_availability(
                store=store,
                day=params["date"],
                time=params["time"],
                party_size=params["party_size"],
                duration_minutes=params["duration"],
                kinds=[params["kind"]] if params.get("kind") else None,
            )
        data = {
            "store": store.pk,
            "date": params["date"],
            "time": params["time"],
            "party_size": params["party_size"],
            "duration": params["duration"],
            "bookable": not problems,
            "problems": [message for messages in problems.values() for message in messages],
            **found,
        }
        return Response(AvailabilitySerializer(data).data)


class FloorView(APIView):
    """The floor of a store now: each active table free, reserved soon, seated or needing clearing."""

    resource = "reservations.reservation"
    role_action = "view"

    @extend_schema(
        parameters=[OpenApiParameter("store", OpenApiTypes.STR, description="Store ID (required for admins).")],
        responses={200: FloorSerializer, 404: OpenApiResponse(description="No such store.")},
        summary="Floor state",
    )
    def get(self, request):
        store = requested_store(request, request.query_params.get("store"))
        return Response(selectors.floor_state(store=store))
