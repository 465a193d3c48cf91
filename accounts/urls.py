from rest_framework.routers import SimpleRouter

app_name = "accounts"
router = SimpleRouter()

urlpatterns = router.urls
