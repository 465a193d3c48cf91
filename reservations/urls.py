from rest_framework.routers import SimpleRouter

app_name = "reservations"
router = SimpleRouter()

urlpatterns = router.urls
