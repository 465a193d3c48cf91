"""Menu API shapes. Writes go through menu.services."""

from __future__ import annotations

import uuid

from rest_framework import serializers

from menu import services
from menu.models import Dish, DishModifier, MenuCategory, RecipeLine, StoreDishOverride
from menu.reports import MAX_REPORT_DAYS, DishClass
from zhilian.api.fields import DayField, RecordDateField
from zhilian.api.serializers import BaseModelSerializer
from zhilian.dates import requested_range

TIMESTAMPS = ["created_at", "updated_at"]


class ServiceWritesMixin:
    """create/update/delete through the named services of menu.services (`<entity>_<action>`)."""

    entity: str = ""

    def create(self, validated_data):
        return getattr(services, f"{self.entity}_create")(user=self._user, **validated_data)

    def update(self, instance, validated_data):
        return getattr(services, f"{self.entity}_update")(**{self.entity: instance}, user=self._user, **validated_data)


class MenuCategorySerializer(ServiceWritesMixin, BaseModelSerializer):
    entity = "menu_category"

    class Meta:
        model = MenuCategory
        fields = ["id", "code", "name_zh", "name_en", "position", "is_active", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class DishModifierSerializer(ServiceWritesMixin, BaseModelSerializer):
    entity = "dish_modifier"

    class Meta:
        model = DishModifier
        fields = ["id", "dish", "code", "name_zh", "name_en", "price_delta_cents", "is_active", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS
        extra_kwargs = {"price_delta_cents": {"min_value": -10_000_000, "max_value": 10_000_000}}


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


class RecipeLineSerializer(ServiceWritesMixin, BaseModelSerializer):
    """A line of a dish's recipe, or with `modifier` of that modifier's (the dish is then the
    modifier's and may be left out; a negative quantity removes an ingredient)."""

    entity = "recipe_line"

    class Meta:
        model = RecipeLine
        fields = ["id", "dish", "modifier", "ingredient_sku", "quantity", "yield_factor", "valid_from", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def to_internal_value(self, data):
        # A new modifier line without its dish: the modifier's (before the unique-together
        # validators, which need the dish).
        if self.instance is None and isinstance(data, dict) and data.get("modifier") and not data.get("dish"):
            dish_id = (
                DishModifier.objects.filter(pk=data["modifier"]).values_list("dish_id", flat=True).first()
                if _is_uuid(data["modifier"])
                else None
            )
            if dish_id is not None:
                data = {**data, "dish": str(dish_id)}
        return super().to_internal_value(data)


class SetMealComponentSerializer(serializers.Serializer):
    """A dish in a set meal and its portions per set."""

    dish = serializers.PrimaryKeyRelatedField(queryset=Dish.objects.all(), help_text="The component dish.")
    dish_code = serializers.CharField(source="dish.code", read_only=True)
    quantity = serializers.IntegerField(min_value=1, max_value=100, default=1, help_text="Portions per set.")


class DishSerializer(ServiceWritesMixin, BaseModelSerializer):
    """A chain dish; its modifiers are listed (edited at /dish-modifiers/), its recipe at
    /recipe-lines/. A set meal (`is_set_meal`) lists its component dishes; writing `components`
    replaces them (a set meal's only: no nesting, each dish once)."""

    entity = "dish"
    category_code = serializers.CharField(source="category.code", read_only=True)
    modifiers = DishModifierSerializer(many=True, read_only=True)
    components = SetMealComponentSerializer(many=True, required=False, max_length=50)
    photo = serializers.ImageField(
        read_only=True,
        help_text="The URL of the dish's photo, or null (PUT /dishes/{id}/photo/ uploads one, DELETE removes it).",
    )

    class Meta:
        model = Dish
        fields = [
            "id",
            "code",
            "name_zh",
            "name_en",
            "category",
            "category_code",
            "description",
            "spice_level",
            "allergens",
            "base_price_cents",
            "position",
            "is_active",
            "is_set_meal",
            "components",
            "photo",
            "modifiers",
            *TIMESTAMPS,
        ]
        read_only_fields = TIMESTAMPS
        extra_kwargs = {
            "base_price_cents": {"min_value": 0, "max_value": 10_000_000_000},
            "spice_level": {"min_value": 0, "max_value": 3},
        }


class DishPhotoSerializer(serializers.Serializer):
    photo = serializers.ImageField(help_text="JPEG, PNG or WebP, at most 2 MB.")

    def validate_photo(self, value):
        # The model's own checks (size, format by content, extension), as full_clean runs them.
        from django.core.exceptions import ValidationError

        field = Dish._meta.get_field("photo")
        try:
            field.run_validators(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value


class StoreDishOverrideSerializer(ServiceWritesMixin, BaseModelSerializer):
    entity = "store_dish_override"
    dish_code = serializers.CharField(source="dish.code", read_only=True)

    class Meta:
        model = StoreDishOverride
        fields = ["id", "store", "dish", "dish_code", "price_cents", "is_hidden", "sold_out_on", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS
        extra_kwargs = {"price_cents": {"min_value": 0, "max_value": 10_000_000_000}}

    def update(self, instance, validated_data):
        validated_data.pop("store", None)  # the base serializer already refused a move
        return super().update(instance, validated_data)


class SoldOutSerializer(serializers.Serializer):
    store = serializers.CharField(required=False, help_text="The store (a manager's own by default).")
    sold_out = serializers.BooleanField(default=True, help_text="false: available again.")
    date = RecordDateField(required=False, help_text="The day (today by default).")


# --- the menu engineering report (menu.reports.menu_engineering) ------------------------------


class MenuEngineeringQuerySerializer(serializers.Serializer):
    store = serializers.CharField(max_length=50, required=False)
    start = DayField(required=False)
    end = DayField(required=False)

    def validate(self, attrs):
        # The last 30 days by default, at most a year and a day (zhilian.dates, one range rule).
        attrs["start"], attrs["end"] = requested_range(
            attrs.get("start"), attrs.get("end"), default_days=30, max_days=MAX_REPORT_DAYS
        )
        return attrs


class MenuEngineeringDishSerializer(serializers.Serializer):
    dish = serializers.UUIDField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    category_zh = serializers.CharField()
    category_en = serializers.CharField()
    units_sold = serializers.IntegerField()
    revenue_cents = serializers.IntegerField(help_text="Σ line subtotals (before order discounts).")
    average_price_cents = serializers.IntegerField()
    recipe_cost_per_portion_cents = serializers.IntegerField()
    recipe_cost_cents = serializers.IntegerField()
    margin_per_portion_cents = serializers.IntegerField(help_text="Average price − recipe cost per portion.")
    margin_cents = serializers.IntegerField()
    food_cost_percent = serializers.CharField(allow_null=True)
    menu_mix_percent = serializers.CharField(help_text="Share of the units sold, in %.")
    popularity_index = serializers.CharField(help_text="Menu mix / fair share (1 / dishes sold); popular from 0.70.")
    high_margin = serializers.BooleanField()
    high_popularity = serializers.BooleanField()
    dish_class = serializers.ChoiceField(choices=DishClass.choices)
    has_recipe = serializers.BooleanField()
    unpriced_ingredients = serializers.ListField(
        child=serializers.CharField(), help_text="Ingredient keys the store has no item of (costed at 0)."
    )


class MenuEngineeringClassesSerializer(serializers.Serializer):
    star = serializers.IntegerField()
    plowhorse = serializers.IntegerField()
    puzzle = serializers.IntegerField()
    dog = serializers.IntegerField()


class MenuEngineeringSummarySerializer(serializers.Serializer):
    dish_count = serializers.IntegerField()
    units_sold = serializers.IntegerField()
    revenue_cents = serializers.IntegerField()
    recipe_cost_cents = serializers.IntegerField()
    margin_cents = serializers.IntegerField()
    food_cost_percent = serializers.CharField(allow_null=True)
    average_margin_cents = serializers.IntegerField(
        help_text="Weighted average margin per portion (Σ margin / Σ units)."
    )
    popularity_threshold_percent = serializers.CharField(help_text="70 % of the fair share, as a menu mix %.")
    popularity_index_threshold = serializers.CharField()
    classes = MenuEngineeringClassesSerializer()


class MenuEngineeringSerializer(serializers.Serializer):
    """Renders `menu.reports.menu_engineering`."""

    store = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    summary = MenuEngineeringSummarySerializer()
    dishes = MenuEngineeringDishSerializer(many=True)
