from rest_framework.routers import SimpleRouter

app_name = "stores"
router = SimpleRouter()

urlpatterns = router.urls
