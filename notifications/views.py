"""Notification center: a user's own notifications (everyone sees only their own: docs/architecture.md,
"Store scoping")."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from notifications import services
from notifications.filters import NotificationFilter
from notifications.models import Notification
from notifications.serializers import NotificationSerializer, UnreadCountSerializer, UpdatedCountSerializer
from zhilian.api.viewsets import StoreScopedMixin


@extend_schema_view(
    list=extend_schema(summary="List my notifications, newest first"),
    retrieve=extend_schema(summary="One of my notifications"),
    destroy=extend_schema(summary="Delete one of my notifications"),
)
class NotificationViewSet(
    StoreScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    search_fields = ["title", "body"]
    ordering_fields = ["created_at", "level", "read_at"]
    ordering = ["-created_at"]

    @extend_schema(summary="How many of my notifications are unread", responses=UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count", role_action="view")
    def unread_count(self, request):
        return Response({"unread": services.notification_unread_count(user=request.user)})

    @extend_schema(summary="Mark one notification read", request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"], role_action="change")
    def read(self, request, pk=None):
        notification = services.notification_mark_read(notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="Mark all my notifications read",
        request=None,
        responses={status.HTTP_200_OK: OpenApiResponse(UpdatedCountSerializer)},
    )
    @action(detail=False, methods=["post"], url_path="read-all", role_action="change")
    def read_all(self, request):
        return Response({"updated": services.notification_mark_all_read(user=request.user)})

    def perform_destroy(self, instance):
        services.notification_delete(notification=instance)
