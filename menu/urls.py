from django.urls import path
from rest_framework.routers import SimpleRouter

from menu.views import (
    DishModifierViewSet,
    DishViewSet,
    MenuCategoryViewSet,
    MenuEngineeringView,
    RecipeLineViewSet,
    StoreDishOverrideViewSet,
)

app_name = "menu"
router = SimpleRouter()
router.register("menu-categories", MenuCategoryViewSet, basename="menucategory")
router.register("dishes", DishViewSet, basename="dish")
router.register("dish-modifiers", DishModifierViewSet, basename="dishmodifier")
router.register("recipe-lines", RecipeLineViewSet, basename="recipeline")
router.register("store-dish-overrides", StoreDishOverrideViewSet, basename="storedishoverride")

urlpatterns = [
    path("reports/menu-engineering/", MenuEngineeringView.as_view(), name="menu-engineering"),
    *router.urls,
]
