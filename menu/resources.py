"""The chain menu's dishes and the stores' prices as files (zhilian/admin/imports.py): dishes are
HQ's (admins import them), a store's price overrides its manager's."""

from __future__ import annotations

from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export import fields

from menu import services
from menu.models import Dish, MenuCategory, StoreDishOverride
from zhilian.admin.exports import store_name_field
from zhilian.admin.imports import ImportResource, ScopedForeignKeyWidget, store_field

DISH_FIELDS = [
    "code",
    "name_zh",
    "name_en",
    "category",
    "description",
    "spice_level",
    "base_price_cents",
    "position",
    "is_active",
    "is_set_meal",
]


class DishResource(ImportResource):
    """Chain dishes keyed by their code; the category by its code. Set meals' components,
    recipes and photos are edited in the admin, not imported."""

    category = fields.Field(
        attribute="category",
        column_name=capfirst(_("category code")),
        widget=ScopedForeignKeyWidget(MenuCategory, field="code"),
    )
    export_select_related = ("category",)
    fixed_on_update = ()

    class Meta(ImportResource.Meta):
        model = Dish
        name = Dish._meta.verbose_name_plural
        fields = DISH_FIELDS
        export_order = DISH_FIELDS
        import_id_fields = ["code"]
        readonly_fields = ["is_set_meal"]

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        if field_name == "is_set_meal":
            field.readonly = True
        return field

    def create(self, instance: Dish, fields: dict[str, Any]) -> Dish:
        fields.pop("is_set_meal", None)
        return services.dish_create(user=self.user, **fields)

    def update(self, instance: Dish, changes: dict[str, Any]) -> Dish:
        changes.pop("is_set_meal", None)
        services.dish_update(dish=instance, user=self.user, **changes)
        return instance


OVERRIDE_FIELDS = ["store", "store_name", "dish", "dish_name", "price_cents", "is_hidden"]


class StoreDishOverrideResource(ImportResource):
    """A store's price (and hiding) of a chain dish, keyed by store and dish code. 估清 (sold out)
    is a day's state, set at the pass, not imported."""

    store = store_field()
    store_name = store_name_field()
    dish = fields.Field(
        attribute="dish",
        column_name=capfirst(_("dish code")),
        widget=ScopedForeignKeyWidget(Dish, field="code"),
    )
    dish_name = fields.Field(attribute="dish__name_zh", column_name=capfirst(_("dish name")), readonly=True)
    export_select_related = ("store", "dish")

    class Meta(ImportResource.Meta):
        model = StoreDishOverride
        name = StoreDishOverride._meta.verbose_name_plural
        fields = OVERRIDE_FIELDS
        export_order = OVERRIDE_FIELDS
        import_id_fields = ["store", "dish"]

    def create(self, instance: StoreDishOverride, fields: dict[str, Any]) -> StoreDishOverride:
        return services.store_dish_override_create(user=self.user, **fields)

    def update(self, instance: StoreDishOverride, changes: dict[str, Any]) -> StoreDishOverride:
        return services.store_dish_override_update(store_dish_override=instance, user=self.user, **changes)
