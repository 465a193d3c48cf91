"""WebSocket routes (docs/architecture.md, "Events and live updates")."""

from django.urls import re_path

from notifications.consumers import NotificationConsumer, StoreEventsConsumer, UnroutedConsumer

websocket_urlpatterns: list = [
    # Store IDs follow zhilian.models.STRING_ID_RE; anything else never reaches a consumer.
    re_path(r"^ws/stores/(?P<store_id>[A-Za-z0-9_-]{1,50})/$", StoreEventsConsumer.as_asgi()),
    re_path(r"^ws/notifications/$", NotificationConsumer.as_asgi()),
    # Last: every path the routes above do not match closes cleanly with 4404.
    re_path(r"", UnroutedConsumer.as_asgi()),
]
