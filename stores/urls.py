from rest_framework.routers import SimpleRouter

from stores.views import EmployeeViewSet, RegionViewSet, StoreViewSet, TableViewSet

app_name = "stores"
router = SimpleRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("stores", StoreViewSet, basename="store")
router.register("tables", TableViewSet, basename="table")
router.register("employees", EmployeeViewSet, basename="employee")

urlpatterns = router.urls
