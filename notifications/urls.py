from rest_framework.routers import SimpleRouter

app_name = "notifications"
router = SimpleRouter()

urlpatterns = router.urls
