import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhilian.jsonvalues import BoundedJSONField
from zhilian.models import CentsField, StoreScopedManager, TimestampedModel, validate_string_list


class Reservation(TimestampedModel):
    class Type(models.TextChoices):
        REGULAR = "regular", _("Regular")
        BANQUET = "banquet", _("Banquet")
        PRIVATE_ROOM = "private_room", _("Private room")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        ARRIVED = "arrived", _("Arrived")
        SEATED = "seated", _("Seated")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    # Reservations in these states hold their tables.
    ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED, Status.ARRIVED, Status.SEATED)

    # Server-generated: <store>-R<YYYYMMDD>-<NNNN> by reservation date.
    id = models.CharField(_("reservation ID"), max_length=80, primary_key=True, editable=False)
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="reservations"
    )
    tables = models.ManyToManyField(
        "stores.Table", verbose_name=_("tables"), through="ReservationTable", related_name="reservations", blank=True
    )
    customer_name = models.CharField(_("customer name"), max_length=100)
    customer_phone = models.CharField(_("customer phone"), max_length=32)
    customer_email = models.EmailField(_("customer email"), blank=True)
    reservation_type = models.CharField(_("type"), max_length=16, choices=Type.choices, default=Type.REGULAR)
    reservation_date = models.DateField(_("date"))
    reservation_time = models.TimeField(_("time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=120, validators=[MinValueValidator(15), MaxValueValidator(720)]
    )
    # Derived from date, time and duration: the interval the tables are held.
    starts_at = models.DateTimeField(_("starts at"), editable=False)
    ends_at = models.DateTimeField(_("ends at"), editable=False)
    party_size = models.PositiveSmallIntegerField(
        _("party size"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    room_name = models.CharField(_("room name"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    special_requests = models.TextField(_("special requests"), blank=True)
    dietary_restrictions = BoundedJSONField(_("dietary restrictions"), default=list, blank=True)
    banquet_details = BoundedJSONField(
        _("banquet details"),
        default=dict,
        blank=True,
        help_text=_('Menu and arrangements: {"menu": [...], "occasion": "wedding", "tables": 10}'),
    )
    estimated_budget_cents = CentsField(_("estimated budget"))
    deposit_cents = CentsField(_("deposit"))
    notes = models.TextField(_("notes"), blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    arrival_time = models.DateTimeField(_("arrived at"), null=True, blank=True, editable=False)
    seated_at = models.DateTimeField(_("seated at"), null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    no_show_at = models.DateTimeField(_("marked no-show at"), null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("cancel reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = StoreScopedManager()
    # Set by the server, never by a client or an admin form (ids, timestamps, computed totals,
    # statuses moved only by transitions): the serializers' read_only_fields and the admin's
    # readonly fields.
    SERVER_OWNED_FIELDS = (
        "id",
        "status",
        "starts_at",
        "ends_at",
        "confirmed_at",
        "arrival_time",
        "seated_at",
        "completed_at",
        "cancelled_at",
        "no_show_at",
        "cancel_reason",
        "created_by",
        "created_at",
        "updated_at",
    )

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["reservation_date", "reservation_time"]
        indexes = [
            models.Index(fields=["store", "reservation_date", "reservation_time"], name="resv_store_date_idx"),
            models.Index(fields=["store", "status", "starts_at"], name="resv_store_status_start_idx"),
            models.Index(fields=["customer_phone"], name="resv_customer_phone_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(party_size__gte=1), name="resv_party_size_positive"),
            models.CheckConstraint(condition=Q(duration_minutes__gte=15), name="resv_duration_min"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="resv_end_after_start"),
            models.CheckConstraint(condition=Q(estimated_budget_cents__gte=0), name="resv_budget_nonneg"),
            models.CheckConstraint(condition=Q(deposit_cents__gte=0), name="resv_deposit_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.id or 'new'} {self.customer_name} ×{self.party_size}"

    @staticmethod
    def bounds(day: dt.date, time: dt.time, minutes: int) -> tuple[dt.datetime, dt.datetime]:
        starts = timezone.make_aware(dt.datetime.combine(day, time), timezone.get_current_timezone())
        return starts, starts + dt.timedelta(minutes=minutes)

    def set_bounds(self) -> None:
        self.starts_at, self.ends_at = self.bounds(self.reservation_date, self.reservation_time, self.duration_minutes)

    def clean(self):
        errors = {}
        try:
            validate_string_list(self.dietary_restrictions)
        except ValidationError as exc:
            errors["dietary_restrictions"] = exc.messages
        if not isinstance(self.banquet_details, dict):
            errors["banquet_details"] = [_("Must be an object.")]
        if self.deposit_cents and self.estimated_budget_cents and self.deposit_cents > self.estimated_budget_cents:
            errors["deposit_cents"] = [_("The deposit cannot exceed the estimated budget.")]
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.reservation_date and self.reservation_time and self.duration_minutes:
            self.set_bounds()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"reservation_date", "reservation_time", "duration_minutes"} & set(
            update_fields
        ):
            kwargs["update_fields"] = {*update_fields, "starts_at", "ends_at"}
        super().save(*args, **kwargs)


class ReservationTable(models.Model):
    """A table held by a reservation; tables with reservation history cannot be deleted."""

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="table_links")
    table = models.ForeignKey("stores.Table", on_delete=models.PROTECT, related_name="reservation_links")

    objects = StoreScopedManager()
    store_lookup = "reservation__store"

    class Meta:
        verbose_name = _("reserved table")
        verbose_name_plural = _("reserved tables")
        constraints = [
            models.UniqueConstraint(fields=["reservation", "table"], name="resvtable_unique"),
        ]
        indexes = [models.Index(fields=["table", "reservation"], name="resvtable_table_idx")]

    def __str__(self) -> str:
        return f"{self.reservation_id} → {self.table_id}"
