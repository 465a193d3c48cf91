from rest_framework.routers import SimpleRouter

from stores.views import EmployeeViewSet, StoreViewSet, TableViewSet

app_name = "stores"
router = SimpleRouter()
router.register("stores", StoreViewSet, basename="store")
router.register("tables", TableViewSet, basename="table")
router.register("employees", EmployeeViewSet, basename="employee")

urlpatterns = router.urls
