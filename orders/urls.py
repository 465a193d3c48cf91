from rest_framework.routers import SimpleRouter

from orders.views import OrderItemViewSet, OrderViewSet

app_name = "orders"
router = SimpleRouter()
router.register("orders", OrderViewSet, basename="order")
router.register("order-items", OrderItemViewSet, basename="orderitem")

urlpatterns = router.urls
