import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhilian.models import QUANTITY, CentsField, StoreScopedManager, StringIdField, TimestampedModel


class InventoryItem(TimestampedModel):
    class Category(models.TextChoices):
        MEAT = "meat", _("Meat")
        SEAFOOD = "seafood", _("Seafood")
        VEGETABLE = "vegetable", _("Vegetables")
        DRY_GOODS = "dry_goods", _("Dry goods")
        SEASONING = "seasoning", _("Seasoning")
        BEVERAGE = "beverage", _("Beverages")
        PACKAGING = "packaging", _("Packaging")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NORMAL = "normal", _("Normal")
        LOW = "low", _("Low")
        CRITICAL = "critical", _("Critical")
        OUT_OF_STOCK = "out_of_stock", _("Out of stock")

    id = StringIdField(_("item ID"))
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="inventory_items"
    )
    name = models.CharField(_("name"), max_length=120)
    # The chain-wide key of the ingredient: the same in every store, so a chain recipe
    # (menu.RecipeLine.ingredient_sku) resolves to each store's own item. Defaults to the name.
    sku = models.CharField(
        _("SKU"),
        max_length=120,
        blank=True,
        help_text=_("The ingredient's key, the same in every store (empty: the name)."),
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, default=Category.OTHER)
    unit = models.CharField(_("unit"), max_length=16, help_text=_("kg, L, piece, box, ..."))
    # Changed only through the ledger (inventory.services); never edited directly.
    current_quantity = models.DecimalField(_("quantity on hand"), **QUANTITY, default=Decimal("0"), editable=False)
    min_quantity = models.DecimalField(
        _("reorder point"), **QUANTITY, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    max_quantity = models.DecimalField(
        _("par level"), **QUANTITY, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    unit_cost_cents = CentsField(_("unit cost"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OUT_OF_STOCK, editable=False
    )
    supplier_name = models.CharField(_("supplier"), max_length=120, blank=True)
    supplier_contact = models.CharField(_("supplier contact"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = StoreScopedManager()

    class Meta:
        verbose_name = _("inventory item")
        verbose_name_plural = _("inventory items")
        ordering = ["store", "name"]
        indexes = [
            models.Index(fields=["store", "status"], name="invitem_store_status_idx"),
            models.Index(fields=["store", "category"], name="invitem_store_category_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], name="invitem_store_name_unique"),
            models.UniqueConstraint(fields=["store", "sku"], name="invitem_store_sku_unique"),
            models.CheckConstraint(condition=Q(min_quantity__gte=0), name="invitem_min_nonneg"),
            models.CheckConstraint(condition=Q(max_quantity__gte=F("min_quantity")), name="invitem_par_at_least_min"),
            models.CheckConstraint(condition=Q(unit_cost_cents__gte=0), name="invitem_cost_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.store_id})"

    def clean(self):
        if self.max_quantity is not None and self.min_quantity is not None and self.max_quantity < self.min_quantity:
            raise ValidationError({"max_quantity": _("The par level cannot be below the reorder point.")})

    def save(self, *args, **kwargs):
        if not self.sku:
            self.sku = self.name
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "sku"}
        super().save(*args, **kwargs)

    @classmethod
    def status_for(cls, quantity: Decimal, min_quantity: Decimal) -> str:
        """Low at or below the reorder point, critical at or below half of it, out at zero."""
        if quantity <= 0:
            return cls.Status.OUT_OF_STOCK
        if quantity <= min_quantity / 2:
            return cls.Status.CRITICAL
        if quantity <= min_quantity:
            return cls.Status.LOW
        return cls.Status.NORMAL


class InventoryTransaction(TimestampedModel):
    """One row of the stock ledger. Written by inventory.services only; never updated or deleted."""

    class Type(models.TextChoices):
        PURCHASE = "purchase", _("Purchase")
        USAGE = "usage", _("Usage")
        WASTE = "waste", _("Waste")
        ADJUSTMENT = "adjustment", _("Adjustment")
        TRANSFER = "transfer", _("Transfer")

    class WasteReason(models.TextChoices):
        SPOILED = "spoiled", _("Spoiled")
        EXPIRED = "expired", _("Expired")
        OVERPRODUCED = "overproduced", _("Overproduced")
        DAMAGED = "damaged", _("Damaged")
        RETURNED = "returned", _("Returned")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(
        InventoryItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="transactions"
    )
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="inventory_transactions"
    )
    transaction_type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    quantity = models.DecimalField(_("quantity"), **QUANTITY, help_text=_("Signed: positive in, negative out."))
    unit_cost_cents = CentsField(_("unit cost"))
    total_cost_cents = CentsField(_("total cost"))
    quantity_before = models.DecimalField(_("quantity before"), **QUANTITY)
    quantity_after = models.DecimalField(_("quantity after"), **QUANTITY)
    waste_reason = models.CharField(_("waste reason"), max_length=16, choices=WasteReason.choices, blank=True)
    reference_id = models.CharField(_("reference"), max_length=80, blank=True)
    counterpart = models.OneToOneField(
        "self",
        verbose_name=_("transfer counterpart"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = models.CharField(_("notes"), max_length=255, blank=True)
    performed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("performed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inventory_transactions",
    )
    transaction_time = models.DateTimeField(_("time"), default=timezone.now)

    objects = StoreScopedManager()

    class Meta:
        verbose_name = _("inventory transaction")
        verbose_name_plural = _("inventory transactions")
        ordering = ["-transaction_time"]
        indexes = [
            # The rows an order's sales usage wrote (reversed when the order is cancelled).
            models.Index(fields=["reference_id"], condition=~Q(reference_id=""), name="invtx_reference_idx"),
            models.Index(fields=["item", "-transaction_time"], name="invtx_item_time_idx"),
            models.Index(fields=["store", "-transaction_time"], name="invtx_store_time_idx"),
            models.Index(fields=["store", "transaction_type", "-transaction_time"], name="invtx_store_type_time_idx"),
        ]
        constraints = [
            # Only sales usage may take stock below zero (a store that allows it, menu.services);
            # any row that adds stock may start from, or stay, below zero.
            models.CheckConstraint(
                condition=Q(quantity_after__gte=0) | Q(transaction_type="usage") | Q(quantity__gte=0),
                name="invtx_after_nonneg_unless_sales",
            ),
            # Within half a unit of the third decimal rather than "=": SQLite keeps decimals as
            # floating point (20 - 14.999 != 5.001 there); on PostgreSQL's numeric this is equality.
            models.CheckConstraint(
                condition=Q(
                    quantity_after__gte=F("quantity_before") + F("quantity") - Value(Decimal("0.0005")),
                    quantity_after__lte=F("quantity_before") + F("quantity") + Value(Decimal("0.0005")),
                ),
                name="invtx_after_is_before_plus_quantity",
            ),
            models.CheckConstraint(condition=Q(unit_cost_cents__gte=0), name="invtx_unit_cost_nonneg"),
            models.CheckConstraint(condition=Q(total_cost_cents__gte=0), name="invtx_total_cost_nonneg"),
            models.CheckConstraint(
                condition=~Q(transaction_type="waste") | ~Q(waste_reason=""),
                name="invtx_waste_has_reason",
            ),
            models.CheckConstraint(
                # A positive usage row is the counter-entry of a cancelled order's usage.
                condition=Q(transaction_type="usage") & ~Q(quantity=0)
                | Q(transaction_type="waste", quantity__lt=0)
                | Q(transaction_type="purchase", quantity__gt=0)
                | Q(transaction_type__in=["adjustment", "transfer"]),
                name="invtx_sign_matches_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_transaction_type_display()} {self.quantity} {self.item_id}"


class StockCount(TimestampedModel):
    """A stock count (盘点) of one store: a sheet of every active item with the quantity the books
    expected when it was opened and the quantity counted. Closing it writes the differences to
    the ledger as `adjustment` rows (inventory.services.counts). At most one open count per store.

    The counted quantities stand for the stock at the end of `count_date` (the variance report,
    inventory.reports, takes sales and movements of the days after the opening count's date
    through the closing count's date)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="stock_counts"
    )
    count_date = models.DateField(_("count date"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN, editable=False)
    opened_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    closed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    notes = models.CharField(_("notes"), max_length=255, blank=True)

    objects = StoreScopedManager()

    class Meta:
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        ordering = ["-count_date", "-id"]
        indexes = [
            # The previous closed count of a store (the variance report's opening count).
            models.Index(fields=["store", "status", "-count_date"], name="stockcount_store_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["store"], condition=Q(status="open"), name="stockcount_one_open_per_store"),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | Q(status="closed", closed_at__isnull=False),
                name="stockcount_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.count_date} #{self.pk}"

    @property
    def reference(self) -> str:
        """The `reference_id` of the ledger rows its closing wrote."""
        return f"COUNT-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class StockCountLine(models.Model):
    """One item of a count sheet: the book quantity at opening, the counted one (None: not yet
    counted) and the item's unit cost at opening (what the variance is valued at)."""

    count = models.ForeignKey(StockCount, verbose_name=_("stock count"), on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        InventoryItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="count_lines"
    )
    expected_quantity = models.DecimalField(_("expected quantity"), **QUANTITY)
    counted_quantity = models.DecimalField(_("counted quantity"), **QUANTITY, null=True, blank=True)
    unit_cost_cents = CentsField(_("unit cost"))

    objects = StoreScopedManager()
    store_lookup = "count__store"

    class Meta:
        verbose_name = _("count line")
        verbose_name_plural = _("count lines")
        ordering = ["count", "item__name"]
        constraints = [
            models.UniqueConstraint(fields=["count", "item"], name="stockcountline_count_item_unique"),
            models.CheckConstraint(
                condition=Q(counted_quantity__isnull=True) | Q(counted_quantity__gte=0),
                name="stockcountline_counted_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} @ {self.count_id}"
