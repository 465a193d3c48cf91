"""The waitlist API: kiosks and staff (JWT, the store's accounts) and the guest's public position."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from stores.models import Table
from waitlist import selectors, services
from waitlist.filters import WaitlistTicketFilter
from waitlist.models import WaitlistTicket
from waitlist.serializers import (
    BoardQuerySerializer,
    BoardSerializer,
    IssuedSerializer,
    IssueSerializer,
    MoveSerializer,
    PositionSerializer,
    WaitlistTicketSerializer,
)
from waitlist.workflow import ACTIONS
from zhilian.api.stores import requested_store
from zhilian.api.viewsets import ScopedCreateReadViewSet
from zhilian.errors import InvalidInput

MOVE_RESPONSES = {
    200: WaitlistTicketSerializer,
    400: OpenApiResponse(description="Field errors (a table that is not the store's, a table when not seating)."),
    404: OpenApiResponse(description="No such ticket, or one of another store."),
    409: OpenApiResponse(description="The move is not allowed from the ticket's status; `allowed` lists the moves."),
}


class WaitlistTicketViewSet(ScopedCreateReadViewSet):
    """Walk-in waitlist tickets (排队取号). POST takes a number (a kiosk signs in as a staff
    account of its store); call, seat, skip and cancel move a ticket."""

    queryset = WaitlistTicket.objects.select_related("table")
    serializer_class = WaitlistTicketSerializer
    filterset_class = WaitlistTicketFilter
    search_fields = ["phone"]
    ordering_fields = ["issued_at", "business_date", "band", "number", "status", "party_size"]
    ordering = ["-business_date", "band", "number"]

    @extend_schema(
        request=IssueSerializer,
        responses={201: IssuedSerializer, 400: OpenApiResponse(description="Field errors."), 404: None},
    )
    def create(self, request, *args, **kwargs):
        """Take the next number of the party's band and quote the wait."""
        body = IssueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        store = requested_store(request, body.validated_data.get("store"))
        ticket = services.waitlist_ticket_issue(
            actor=request.user,
            store=store,
            party_size=body.validated_data["party_size"],
            phone=body.validated_data["phone"],
        )
        ticket.store = store
        position = selectors.ticket_position(ticket)
        data = IssuedSerializer(ticket, context={"request": request, "position": position}).data
        return Response(data, status=http.HTTP_201_CREATED)

    def _move(self, request, status: str) -> Response:
        ticket = self.get_object()
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        table = None
        table_id, number = body.validated_data["table"], body.validated_data["table_number"]
        if table_id or number:
            lookup = {"pk": table_id} if table_id else {"number": number}
            table = Table.objects.filter(store_id=ticket.store_id, **lookup).first()
            if table is None:
                raise InvalidInput({"table_number" if number and not table_id else "table": [_("No such table.")]})
        services.waitlist_ticket_transition(
            actor=request.user, ticket=ticket, status=status, table=table, reason=body.validated_data["reason"]
        )
        ticket = self.get_queryset().get(pk=ticket.pk)
        return Response(self.get_serializer(ticket).data)

    @extend_schema(request=MoveSerializer, responses=MOVE_RESPONSES)
    @action(detail=True, methods=["post"], role_action="transition")
    def call(self, request, pk=None):
        """Call the number (again: a called ticket may be re-called)."""
        return self._move(request, ACTIONS["call"])

    @extend_schema(request=MoveSerializer, responses=MOVE_RESPONSES)
    @action(detail=True, methods=["post"], role_action="transition")
    def seat(self, request, pk=None):
        """Seat the party, at a table when one is named (`table` id or `table_number`)."""
        return self._move(request, ACTIONS["seat"])

    @extend_schema(request=MoveSerializer, responses=MOVE_RESPONSES)
    @action(detail=True, methods=["post"], role_action="transition")
    def skip(self, request, pk=None):
        """Called and not there (过号): final; a guest coming back takes a new number."""
        return self._move(request, ACTIONS["skip"])

    @extend_schema(request=MoveSerializer, responses=MOVE_RESPONSES)
    @action(detail=True, methods=["post"], role_action="transition")
    def cancel(self, request, pk=None):
        """The party leaves the queue."""
        return self._move(request, ACTIONS["cancel"])

    @extend_schema(
        parameters=[BoardQuerySerializer],
        responses={200: BoardSerializer, 400: OpenApiResponse(description="Field errors."), 404: None},
    )
    @action(detail=False, methods=["get"], role_action="view", filter_backends=[], pagination_class=None)
    def board(self, request):
        """The store's queue per band: waiting, called, the next numbers and the wait quoted now."""
        query = BoardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        store = requested_store(request, query.validated_data.get("store"))
        day = query.validated_data.get("date") or timezone.localdate()
        return Response(BoardSerializer(selectors.waitlist_board(store=store, day=day)).data)


class TicketPositionView(APIView):
    """A guest's place in the queue, by the unguessable token printed on the ticket (no sign-in)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: PositionSerializer, 404: OpenApiResponse(description="No such ticket.")})
    def get(self, request, token: str):
        ticket = get_object_or_404(WaitlistTicket.objects.select_related("store"), token=token)
        return Response(PositionSerializer(selectors.ticket_position(ticket)).data)
