"""WebSocket routes (DESIGN §7)."""

websocket_urlpatterns: list = []
