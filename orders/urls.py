from rest_framework.routers import SimpleRouter

app_name = "orders"
router = SimpleRouter()

urlpatterns = router.urls
