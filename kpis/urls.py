from rest_framework.routers import SimpleRouter

app_name = "kpis"
router = SimpleRouter()

urlpatterns = router.urls
