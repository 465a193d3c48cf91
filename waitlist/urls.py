from django.urls import path
from rest_framework.routers import SimpleRouter

from waitlist.views import TicketPositionView, WaitlistTicketViewSet

app_name = "waitlist"
router = SimpleRouter()
router.register("waitlist/tickets", WaitlistTicketViewSet, basename="ticket")

urlpatterns = [
    path("waitlist/position/<str:token>/", TicketPositionView.as_view(), name="position"),
    *router.urls,
]
