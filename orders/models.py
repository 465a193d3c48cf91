import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhilian.jsonvalues import BoundedJSONField
from zhilian.models import CentsField, StoreScopedManager, TimestampedModel


class Order(TimestampedModel):
    class Type(models.TextChoices):
        DINE_IN = "dine_in", _("Dine-in")
        TAKEAWAY = "takeaway", _("Takeaway")
        DELIVERY = "delivery", _("Delivery")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        PREPARING = "preparing", _("Preparing")
        READY = "ready", _("Ready")
        SERVED = "served", _("Served")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Channel(models.TextChoices):
        POS = "pos", _("POS")
        MINI_PROGRAM = "mini_program", _("WeChat mini program")
        APP = "app", _("App")
        MEITUAN = "meituan", _("Meituan")
        ELEME = "eleme", _("Ele.me")
        PHONE = "phone", _("Phone")

    # Server-generated: <store>-<YYYYMMDD>-<NNNN>, unique even under concurrent creation.
    id = models.CharField(_("order ID"), max_length=80, primary_key=True, editable=False)
    # No index of its own: the (store, order_time) index below leads with the store and serves every
    # store lookup; a second, store-only index misled the planner at chain scale (it scanned a
    # store's whole history for one day's orders) and cost every insert.
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    table = models.ForeignKey(
        "stores.Table",
        verbose_name=_("table"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    order_type = models.CharField(_("order type"), max_length=16, choices=Type.choices, default=Type.DINE_IN)
    customer_name = models.CharField(_("customer name"), max_length=100, blank=True)
    customer_phone = models.CharField(_("customer phone"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    subtotal_cents = CentsField(_("subtotal"), editable=False)
    discount_cents = CentsField(_("discount"))
    total_cents = CentsField(_("total"), editable=False)
    order_time = models.DateTimeField(_("order time"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    preparing_at = models.DateTimeField(_("preparing at"), null=True, blank=True, editable=False)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True, editable=False)
    served_at = models.DateTimeField(_("served at"), null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("cancel reason"), max_length=255, blank=True)
    waiter = models.ForeignKey(
        "stores.Employee",
        verbose_name=_("waiter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    sales_channel = models.CharField(_("sales channel"), max_length=16, choices=Channel.choices, default=Channel.POS)
    guest_count = models.PositiveSmallIntegerField(_("guests"), default=1)
    notes = models.TextField(_("notes"), blank=True)
    metadata = BoundedJSONField(_("metadata"), default=dict, blank=True)
    # When the order's dish lines took their recipes out of stock (menu.services); a cancellation
    # after it puts them back. Not part of the API representation.
    stock_deducted_at = models.DateTimeField(_("stock deducted at"), null=True, blank=True, editable=False)

    objects = StoreScopedManager()
    # Set by the server, never by a client or an admin form (ids, timestamps, computed totals,
    # statuses moved only by transitions): the serializers' read_only_fields and the admin's
    # readonly fields.
    SERVER_OWNED_FIELDS = (
        "id",
        "status",
        "subtotal_cents",
        "total_cents",
        "confirmed_at",
        "preparing_at",
        "ready_at",
        "served_at",
        "completed_at",
        "cancelled_at",
        "cancel_reason",
        "created_at",
        "updated_at",
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-order_time"]
        indexes = [
            models.Index(fields=["store", "-order_time"], name="order_store_time_idx"),
            models.Index(fields=["store", "status", "-order_time"], name="order_store_status_idx"),
            models.Index(fields=["customer_phone"], name="order_customer_phone_idx"),
            models.Index(fields=["-order_time"], name="order_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(subtotal_cents__gte=0), name="order_subtotal_nonneg"),
            models.CheckConstraint(condition=Q(discount_cents__gte=0), name="order_discount_nonneg"),
            models.CheckConstraint(condition=Q(total_cents__gte=0), name="order_total_nonneg"),
            models.CheckConstraint(
                condition=Q(total_cents=F("subtotal_cents") - F("discount_cents")),
                name="order_total_is_subtotal_minus_discount",
            ),
            models.CheckConstraint(condition=Q(guest_count__gte=1), name="order_guest_count_positive"),
        ]

    def __str__(self) -> str:
        return self.id or "new order"

    def clean(self):
        errors = {}
        if self.table_id and self.store_id and self.table.store_id != self.store_id:
            errors["table"] = _("The table belongs to another store.")
        if self.waiter_id and self.store_id and self.waiter.store_id != self.store_id:
            errors["waiter"] = _("The waiter works in another store.")
        if errors:
            raise ValidationError(errors)


class OrderItem(TimestampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="items")
    item_code = models.CharField(_("item code"), max_length=40)
    item_name = models.CharField(_("item name"), max_length=120)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    unit_price_cents = CentsField(_("unit price"))
    subtotal_cents = CentsField(_("subtotal"), editable=False)
    notes = models.CharField(_("notes"), max_length=255, blank=True)
    customizations = BoundedJSONField(_("customizations"), default=dict, blank=True)
    # The menu dish the line sold (name and price above are its snapshot at the time of sale), or
    # none: an open item, flagged as such when it was entered, or a line from before the menu.
    dish = models.ForeignKey(
        "menu.Dish",
        verbose_name=_("dish"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_items",
    )
    is_open_item = models.BooleanField(_("open item"), default=False, db_default=False)

    objects = StoreScopedManager()
    store_lookup = "order__store"

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["item_code"], name="orderitem_code_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orderitem_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price_cents__gte=0), name="orderitem_price_nonneg"),
            models.CheckConstraint(
                condition=Q(subtotal_cents=F("quantity") * F("unit_price_cents")),
                name="orderitem_subtotal_is_qty_times_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item_name}"

    def save(self, *args, **kwargs):
        self.subtotal_cents = self.quantity * self.unit_price_cents
        super().save(*args, **kwargs)


class OrderItemModifier(models.Model):
    """A modifier chosen on an order line (加辣, 大份), as sold: its code, name and price change are
    a snapshot, the link to the menu's modifier is what its recipe and the sales reports read
    (orders.selectors.daily_modifier_sales). The line's `customizations["modifiers"]` keeps the
    same snapshot for the API's existing clients."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order_item = models.ForeignKey(
        OrderItem, verbose_name=_("order item"), on_delete=models.CASCADE, related_name="chosen_modifiers"
    )
    modifier = models.ForeignKey(
        "menu.DishModifier", verbose_name=_("modifier"), on_delete=models.PROTECT, related_name="order_item_modifiers"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=121)
    price_delta_cents = models.BigIntegerField(_("price change (cents)"), default=0)

    objects = StoreScopedManager()
    store_lookup = "order_item__order__store"

    class Meta:
        verbose_name = _("order item modifier")
        verbose_name_plural = _("order item modifiers")
        ordering = ["order_item", "code"]
        constraints = [
            models.UniqueConstraint(fields=["order_item", "modifier"], name="orderitemmodifier_item_modifier_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
