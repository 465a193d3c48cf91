from django.urls import path
from rest_framework.routers import SimpleRouter

from reservations.views import FloorView, ReservationViewSet

app_name = "reservations"
router = SimpleRouter()
router.register("reservations", ReservationViewSet, basename="reservation")

urlpatterns = [*router.urls, path("floor/", FloorView.as_view(), name="floor")]
