from rest_framework.routers import SimpleRouter

app_name = "scheduling"
router = SimpleRouter()

urlpatterns = router.urls
