import datetime as dt
from decimal import Decimal

import factory

from menu.models import Dish, DishModifier, MenuCategory, RecipeLine, SetMealComponent, StoreDishOverride


class MenuCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MenuCategory

    code = factory.Sequence(lambda n: f"cat{n:03d}")
    name_zh = factory.Sequence(lambda n: f"热菜{n}")
    name_en = factory.Sequence(lambda n: f"Hot dishes {n}")
    position = factory.Sequence(lambda n: n)


class DishFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dish

    code = factory.Sequence(lambda n: f"M{n:04d}")
    name_zh = factory.Sequence(lambda n: f"宫保鸡丁{n}")
    name_en = factory.Sequence(lambda n: f"Kung Pao Chicken {n}")
    category = factory.SubFactory(MenuCategoryFactory)
    base_price_cents = 48_00


class DishModifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DishModifier

    dish = factory.SubFactory(DishFactory)
    code = factory.Sequence(lambda n: f"mod{n}")
    name_zh = "加辣"
    name_en = "Extra spicy"
    price_delta_cents = 2_00


class RecipeLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecipeLine

    dish = factory.SubFactory(DishFactory)
    ingredient_sku = factory.Sequence(lambda n: f"ingredient{n}")
    quantity = Decimal("0.250")
    yield_factor = Decimal("1")
    valid_from = dt.date(2020, 1, 1)


class StoreDishOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoreDishOverride

    store = factory.SubFactory("stores.tests.factories.StoreFactory")
    dish = factory.SubFactory(DishFactory)
    price_cents = 52_00


class SetMealComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SetMealComponent

    set_meal = factory.SubFactory(DishFactory, is_set_meal=True)
    dish = factory.SubFactory(DishFactory)
    quantity = 1
