"""Menu endpoints: thin views over menu.services."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from menu import services
from menu.filters import (
    DishFilter,
    DishModifierFilter,
    MenuCategoryFilter,
    RecipeLineFilter,
    StoreDishOverrideFilter,
)
from menu.models import Dish, DishModifier, MenuCategory, RecipeLine, SetMealComponent, StoreDishOverride
from menu.reports import menu_engineering
from menu.serializers import (
    DishModifierSerializer,
    DishPhotoSerializer,
    DishSerializer,
    MenuCategorySerializer,
    MenuEngineeringQuerySerializer,
    MenuEngineeringSerializer,
    RecipeLineSerializer,
    SoldOutSerializer,
    StoreDishOverrideSerializer,
)
from zhilian import roles
from zhilian.api.stores import requested_store
from zhilian.api.viewsets import ScopedModelViewSet
from zhilian.db import replica_reads


class ServiceDeleteMixin:
    entity: str = ""

    def perform_destroy(self, instance) -> None:
        getattr(services, f"{self.entity}_delete")(**{self.entity: instance}, user=self.request.user)


class MenuCategoryViewSet(ServiceDeleteMixin, ScopedModelViewSet):
    """The chain's menu categories, in menu order (admins edit; everyone reads)."""

    entity = "menu_category"
    queryset = MenuCategory.objects.all()
    serializer_class = MenuCategorySerializer
    filterset_class = MenuCategoryFilter
    search_fields = ["code", "name_zh", "name_en"]
    ordering_fields = ["position", "code"]
    ordering = ["position", "code"]


class DishViewSet(ServiceDeleteMixin, ScopedModelViewSet):
    """The chain's dishes with their modifiers and, for set meals, their components (admins edit;
    everyone reads)."""

    entity = "dish"
    queryset = Dish.objects.select_related("category").prefetch_related(
        "modifiers", Prefetch("components", queryset=SetMealComponent.objects.select_related("dish"))
    )
    serializer_class = DishSerializer
    filterset_class = DishFilter
    search_fields = ["code", "name_zh", "name_en"]
    ordering_fields = ["code", "base_price_cents", "position"]
    ordering = ["category__position", "position", "code"]

    @extend_schema(
        request=SoldOutSerializer,
        responses={
            200: StoreDishOverrideSerializer,
            400: OpenApiResponse(description="No store named (admins), or a bad date"),
        },
        summary="Mark the dish sold out (估清) in a store for a day, or available again",
    )
    @action(detail=True, methods=["post"], url_path="sold-out", role_action=roles.SOLD_OUT,
            resource="menu.storedishoverride")  # fmt: skip
    def sold_out(self, request, pk=None):
        # The role rule is the override's (checked for the action); the dish is the chain's, so
        # no object rule of its own applies.
        dish = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = SoldOutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        store = requested_store(request, serializer.validated_data.get("store"))
        override = services.dish_set_sold_out(
            store=store,
            dish=dish,
            sold_out=serializer.validated_data["sold_out"],
            day=serializer.validated_data.get("date"),
            user=request.user,
        )
        return Response(StoreDishOverrideSerializer(override, context=self.get_serializer_context()).data)

    @extend_schema(
        methods=["PUT"],
        request={"multipart/form-data": DishPhotoSerializer},
        responses={200: DishSerializer, 400: OpenApiResponse(description="Not a JPEG, PNG or WebP, or over 2 MB")},
        summary="Upload the dish's photo (multipart/form-data, field `photo`), replacing any before",
    )
    @extend_schema(methods=["DELETE"], request=None, responses={200: DishSerializer}, summary="Remove the photo")
    @action(detail=True, methods=["put", "delete"], url_path="photo", parser_classes=[MultiPartParser],
            role_action=roles.CHANGE)  # fmt: skip
    def photo(self, request, pk=None):
        # The one request body that is not JSON (docs/api.md, Content types): a file.
        dish = self.get_object()
        if request.method == "DELETE":
            services.dish_update(dish=dish, photo=None, user=request.user)
        else:
            serializer = DishPhotoSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            services.dish_update(dish=dish, photo=serializer.validated_data["photo"], user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=dish.pk)).data)


class DishModifierViewSet(ServiceDeleteMixin, ScopedModelViewSet):
    entity = "dish_modifier"
    queryset = DishModifier.objects.select_related("dish")
    serializer_class = DishModifierSerializer
    filterset_class = DishModifierFilter
    search_fields = ["code", "name_zh", "name_en", "dish__code"]
    ordering_fields = ["code", "price_delta_cents"]
    ordering = ["dish_id", "code"]


class RecipeLineViewSet(ServiceDeleteMixin, ScopedModelViewSet):
    """Recipe lines per dish, versioned by `valid_from` (admins edit; everyone reads)."""

    entity = "recipe_line"
    queryset = RecipeLine.objects.all()
    serializer_class = RecipeLineSerializer
    filterset_class = RecipeLineFilter
    search_fields = ["ingredient_sku", "dish__code"]
    ordering_fields = ["valid_from", "ingredient_sku"]
    ordering = ["dish_id", "-valid_from", "ingredient_sku"]


class StoreDishOverrideViewSet(ServiceDeleteMixin, ScopedModelViewSet):
    """A store's price, hiding and 估清 of chain dishes (managers of the store)."""

    entity = "store_dish_override"
    queryset = StoreDishOverride.objects.select_related("dish")
    serializer_class = StoreDishOverrideSerializer
    filterset_class = StoreDishOverrideFilter
    search_fields = ["dish__code", "dish__name_zh", "dish__name_en"]
    ordering_fields = ["sold_out_on", "price_cents"]
    ordering = ["store_id", "dish_id"]


class MenuEngineeringView(APIView):
    """The menu engineering report of a store over a period (menu.reports.menu_engineering)."""

    resource = "menu.dish"
    role_action = roles.MENU_ENGINEERING

    @extend_schema(
        summary="Menu engineering (Kasavana–Smith)",
        description="Per dish sold in the store between `start` and `end` (inclusive local days; by default "
        "the last 30 days, at most 367): units, revenue, recipe cost (the recipe valid each day × the "
        "store's unit costs), contribution margin, menu mix, popularity index and class: star (margin at "
        "or above the weighted average and menu mix at or above 70 % of the fair share), plowhorse "
        "(popular, lower margin), puzzle (high margin, unpopular), dog. Cancelled orders and open items "
        "are left out. Managers get their own store; admins name one.",
        parameters=[
            OpenApiParameter(
                "store",
                OpenApiTypes.STR,
                description="Store ID (defaults to the user's own store; required for admins)",
            ),
            OpenApiParameter("start", OpenApiTypes.DATE, description="First day (default: 29 days before end)"),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last day (default: today)"),
        ],
        responses=MenuEngineeringSerializer,
    )
    @replica_reads
    def get(self, request):
        query = MenuEngineeringQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        store = requested_store(request, query.validated_data.get("store"))
        report = menu_engineering(store=store, start=query.validated_data["start"], end=query.validated_data["end"])
        return Response(MenuEngineeringSerializer(report).data)
