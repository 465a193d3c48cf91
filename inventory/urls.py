from rest_framework.routers import SimpleRouter

from inventory.views import InventoryItemViewSet, InventoryTransactionViewSet, StockCountViewSet

app_name = "inventory"
router = SimpleRouter()
router.register("inventory-items", InventoryItemViewSet, basename="inventoryitem")
router.register("stock-counts", StockCountViewSet, basename="stockcount")
router.register("inventory-transactions", InventoryTransactionViewSet, basename="inventorytransaction")

urlpatterns = router.urls
