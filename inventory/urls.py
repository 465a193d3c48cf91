from rest_framework.routers import SimpleRouter

app_name = "inventory"
router = SimpleRouter()

urlpatterns = router.urls
