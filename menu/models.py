"""The chain menu: categories, dishes with their modifiers and recipes, and each store's overrides.

HQ (admins) defines the menu for the whole chain; a store changes only its own overrides (price,
hidden, sold out for a day: 估清). Recipes name inventory items by their chain-wide key
(`InventoryItem.sku`), so one recipe resolves to each store's own item; a recipe is versioned by
the date from which it is valid (all lines of a dish sharing the latest `valid_from` on or
before a day are the recipe of that day).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from zhilian.models import QUANTITY, CentsField, StoreScopedManager, TimestampedModel, validate_string_list

CODE_RE = r"^[A-Za-z0-9_-]{1,40}$"
validate_code = RegexValidator(CODE_RE, _("Use 1 to 40 letters, digits, underscores or hyphens."), code="invalid_code")


PHOTO_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}


def validate_dish_photo(file) -> None:
    """A new upload: at most ZHILIAN_DISH_PHOTO_MAX_BYTES, and a JPEG, PNG or WebP image (by its
    content, as Pillow reads it, not by its name). A photo already stored is not checked again."""
    if getattr(file, "_committed", False) and not isinstance(file, UploadedFile):
        return
    limit = settings.ZHILIAN_DISH_PHOTO_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("The photo is %(size)s MB; at most %(limit)s MB.")
            % {"size": f"{file.size / 1_048_576:.1f}", "limit": f"{limit / 1_048_576:g}"},
            code="file_too_big",
        )
    # Set by the form and API image fields, which read it with Pillow already.
    image = getattr(file, "image", None) or getattr(getattr(file, "file", None), "image", None)
    if image is None:
        try:
            from PIL import Image

            position = file.tell()
            with Image.open(file) as opened:
                image_format = opened.format
            file.seek(position)
        except Exception as exc:
            raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="invalid_image") from exc
    else:
        image_format = image.format
    if image_format not in PHOTO_FORMATS:
        raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="invalid_image")


class ChainQuerySet(models.QuerySet):
    """Chain-wide rows (the menu HQ defines): every signed-in, active user reads them all."""

    def for_user(self, user) -> ChainQuerySet:
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self


class MenuCategory(TimestampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[validate_code])
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60)
    position = models.PositiveSmallIntegerField(_("display order"), default=0, help_text=_("Lower comes first."))
    is_active = models.BooleanField(_("active"), default=True)

    objects = ChainQuerySet.as_manager()

    class Meta:
        verbose_name = _("menu category")
        verbose_name_plural = _("menu categories")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.name_zh} {self.name_en}"


class Dish(TimestampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[validate_code])
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60)
    category = models.ForeignKey(
        MenuCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="dishes"
    )
    description = models.TextField(_("description"), blank=True)
    spice_level = models.PositiveSmallIntegerField(
        _("spice level"), default=0, validators=[MaxValueValidator(3)], help_text=_("0 (none) to 3 (very hot).")
    )
    allergens = models.JSONField(_("allergens"), default=list, blank=True, validators=[validate_string_list])
    base_price_cents = CentsField(_("base price"))
    position = models.PositiveSmallIntegerField(_("display order"), default=0, help_text=_("Lower comes first."))
    photo = models.ImageField(
        _("photo"),
        upload_to="dishes/%Y/%m/",
        blank=True,
        validators=[validate_dish_photo, FileExtensionValidator(["jpg", "jpeg", "png", "webp"])],
        help_text=_("Optional: JPEG, PNG or WebP, at most 2 MB."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # A set meal (套餐) is sold like a dish (code, price, store overrides) and made of component
    # dishes (SetMealComponent); its stock usage is its components' recipes.
    is_set_meal = models.BooleanField(
        _("set meal"),
        default=False,
        db_default=False,
        help_text=_("套餐: made of the component dishes listed below; they take their recipes out of stock."),
    )

    objects = ChainQuerySet.as_manager()

    class Meta:
        verbose_name = _("dish")
        verbose_name_plural = _("dishes")
        ordering = ["category__position", "position", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(base_price_cents__gte=0), name="dish_price_nonneg"),
            models.CheckConstraint(condition=Q(spice_level__lte=3), name="dish_spice_level_max"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    def clean(self) -> None:
        # menu.services runs this with the dish locked, and locks the dishes it makes components:
        # a dish is never a set meal and a component at once.
        if self._state.adding:
            return
        if self.is_set_meal and self.in_set_meals.exists():
            raise ValidationError(
                {"is_set_meal": _("This dish is part of a set meal; a set meal cannot contain another.")}
            )
        if not self.is_set_meal and self.components.exists():
            raise ValidationError({"is_set_meal": _("Remove the components of the set meal first.")})

    @property
    def line_name(self) -> str:
        """The name an order line keeps as its snapshot (bilingual, like the POS prints it)."""
        return f"{self.name_zh} {self.name_en}"[:120]


class SetMealComponent(TimestampedModel):
    """A dish in a set meal, with how many portions of it the set holds (双人套餐 = 1 × 宫保鸡丁 +
    1 × 麻婆豆腐 + 2 × 米饭). No nesting: a component is never itself a set meal, and only a set meal
    has components (menu.services checks both under lock; the database checks the rest)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    set_meal = models.ForeignKey(Dish, verbose_name=_("set meal"), on_delete=models.CASCADE, related_name="components")
    dish = models.ForeignKey(
        Dish, verbose_name=_("component dish"), on_delete=models.PROTECT, related_name="in_set_meals"
    )
    quantity = models.PositiveSmallIntegerField(
        _("portions"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    objects = ChainQuerySet.as_manager()

    class Meta:
        verbose_name = _("set meal component")
        verbose_name_plural = _("set meal components")
        ordering = ["set_meal", "dish__code"]
        constraints = [
            models.UniqueConstraint(fields=["set_meal", "dish"], name="setmealcomponent_set_dish_unique"),
            models.CheckConstraint(condition=~Q(set_meal=F("dish")), name="setmealcomponent_not_itself"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="setmealcomponent_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.dish}"

    def clean(self) -> None:
        errors = {}
        if self.set_meal_id and self.dish_id and self.set_meal_id == self.dish_id:
            errors["dish"] = _("A set meal cannot contain itself.")
        elif self.dish_id and self.dish.is_set_meal:
            errors["dish"] = _("A set meal cannot contain another set meal.")
        if self.set_meal_id and not self.set_meal.is_set_meal:
            errors["set_meal"] = _("Only a dish marked as a set meal has components.")
        if errors:
            raise ValidationError(errors)


class DishModifier(TimestampedModel):
    """A structured option of a dish (加辣, 去葱, 大份) with the price it adds (negative: cheaper)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dish = models.ForeignKey(Dish, verbose_name=_("dish"), on_delete=models.CASCADE, related_name="modifiers")
    code = models.CharField(_("code"), max_length=40, validators=[validate_code])
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60)
    price_delta_cents = models.BigIntegerField(_("price change (cents)"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ChainQuerySet.as_manager()

    class Meta:
        verbose_name = _("dish modifier")
        verbose_name_plural = _("dish modifiers")
        ordering = ["dish", "code"]
        constraints = [
            models.UniqueConstraint(fields=["dish", "code"], name="dishmodifier_dish_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.dish.code}/{self.code} {self.name_zh}"


class RecipeLine(TimestampedModel):
    """One ingredient of a dish's recipe valid from a date: quantity per portion, in the unit of
    the store's inventory item, before the yield (1 kg of whole chicken at yield 0.7 gives 0.7 kg
    usable, so a portion needing 0.35 kg usable is written quantity 0.35, yield 0.7).

    A line with a `modifier` is that modifier's recipe instead (加辣 adds chili oil, 大份 more of
    the protein, 去葱 a negative quantity of scallion): what choosing it changes per portion,
    versioned by `valid_from` on its own, added to the dish's recipe; a line's total per
    ingredient never goes below zero (menu.selectors.RecipeBook)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dish = models.ForeignKey(Dish, verbose_name=_("dish"), on_delete=models.CASCADE, related_name="recipe_lines")
    modifier = models.ForeignKey(
        "menu.DishModifier",
        verbose_name=_("modifier"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recipe_lines",
        help_text=_("Empty: the dish's own recipe. A modifier: what choosing it adds (or, negative, removes)."),
    )
    ingredient_sku = models.CharField(
        _("ingredient key"),
        max_length=120,
        help_text=_("The chain-wide key of the inventory item (its SKU in every store)."),
    )
    quantity = models.DecimalField(_("quantity per portion"), **QUANTITY)
    yield_factor = models.DecimalField(
        _("yield"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1"))],
        help_text=_("Usable share of what is taken from stock (0.7: 30 percent is lost in preparation)."),
    )
    valid_from = models.DateField(_("valid from"))

    objects = ChainQuerySet.as_manager()

    class Meta:
        verbose_name = _("recipe line")
        verbose_name_plural = _("recipe lines")
        ordering = ["dish", "modifier", "-valid_from", "ingredient_sku"]
        indexes = [models.Index(fields=["dish", "valid_from"], name="recipeline_dish_from_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["dish", "valid_from", "ingredient_sku"],
                condition=Q(modifier__isnull=True),
                name="recipeline_dish_from_sku_unique",
            ),
            models.UniqueConstraint(
                fields=["modifier", "valid_from", "ingredient_sku"],
                condition=Q(modifier__isnull=False),
                name="recipeline_modifier_from_sku_unique",
            ),
            # A dish's own line takes something; a modifier's adds or removes (never nothing).
            models.CheckConstraint(
                condition=Q(quantity__gt=0) | (Q(modifier__isnull=False) & ~Q(quantity=0)),
                name="recipeline_quantity_positive",
            ),
            models.CheckConstraint(
                condition=Q(yield_factor__gt=0, yield_factor__lte=1), name="recipeline_yield_in_range"
            ),
        ]

    def __str__(self) -> str:
        target = f"{self.dish.code}/{self.modifier.code}" if self.modifier_id else self.dish.code
        return f"{target}: {self.quantity} {self.ingredient_sku} (from {self.valid_from})"

    def clean(self) -> None:
        errors = {}
        if self.quantity is not None:
            if self.modifier_id is None and self.quantity < Decimal("0.001"):
                errors["quantity"] = _("At least 0.001 (only a modifier's line may remove an ingredient).")
            elif self.quantity == 0:
                errors["quantity"] = _("Not zero: a positive quantity adds, a negative one removes.")
        if self.modifier_id and self.dish_id and self.modifier.dish_id != self.dish_id:
            errors["modifier"] = _("A modifier of another dish.")
        if errors:
            raise ValidationError(errors)


class StoreDishOverride(TimestampedModel):
    """What one store changes about a chain dish: its price, hiding it, or selling out for a day."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="dish_overrides"
    )
    dish = models.ForeignKey(Dish, verbose_name=_("dish"), on_delete=models.CASCADE, related_name="store_overrides")
    price_cents = CentsField(
        _("store price"), null=True, blank=True, default=None, help_text=_("Empty: the chain's base price.")
    )
    is_hidden = models.BooleanField(_("hidden"), default=False)
    sold_out_on = models.DateField(
        _("sold out on"), null=True, blank=True, help_text=_("估清: the dish cannot be ordered on this day.")
    )

    objects = StoreScopedManager()

    class Meta:
        verbose_name = _("store dish override")
        verbose_name_plural = _("store dish overrides")
        ordering = ["store", "dish"]
        constraints = [
            models.UniqueConstraint(fields=["store", "dish"], name="storedishoverride_store_dish_unique"),
            models.CheckConstraint(
                condition=Q(price_cents__isnull=True) | Q(price_cents__gte=0), name="storedishoverride_price_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.dish_id}"
