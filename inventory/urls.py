from rest_framework.routers import SimpleRouter

from inventory.views import InventoryItemViewSet, InventoryTransactionViewSet

app_name = "inventory"
router = SimpleRouter()
router.register("inventory-items", InventoryItemViewSet, basename="inventoryitem")
router.register("inventory-transactions", InventoryTransactionViewSet, basename="inventorytransaction")

urlpatterns = router.urls
