from rest_framework.routers import SimpleRouter

from reservations.views import ReservationViewSet

app_name = "reservations"
router = SimpleRouter()
router.register("reservations", ReservationViewSet, basename="reservation")

urlpatterns = router.urls
