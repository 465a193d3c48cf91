import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhilian.jsonvalues import BoundedJSONField
from zhilian.models import (
    CentsField,
    StoreScopedManager,
    StringIdField,
    TimestampedModel,
    filter_by_store_scope,
    validate_business_hours,
    validate_string_list,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class StoreQuerySet(models.QuerySet):
    def for_user(self, user):
        return filter_by_store_scope(self, user, "pk")


class RegionQuerySet(models.QuerySet):
    def for_user(self, user):
        # Regions are the chain's map: every signed-in user reads them; admins draw them.
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self


class Region(TimestampedModel):
    """A group of stores (华东, 华南, …) that an area manager runs and HQ compares."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Store(TimestampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        RENOVATING = "renovating", _("Renovating")
        PREPARING = "preparing", _("Preparing")
        CLOSED = "closed", _("Closed")

    id = StringIdField(_("store ID"))
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=60)
    district = models.CharField(_("district"), max_length=60, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stores",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    seats = models.PositiveIntegerField(_("seats"), default=0)
    area = models.DecimalField(_("area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True)
    opening_date = models.DateField(_("opening date"), null=True, blank=True)
    business_hours = BoundedJSONField(
        _("business hours"),
        default=dict,
        blank=True,
        help_text=_('Per weekday: {"mon": [["10:30", "14:00"], ["17:00", "22:00"]], ...}; a missing day is closed.'),
    )
    config = BoundedJSONField(_("configuration"), default=dict, blank=True)
    # Kitchens do sell what the system thinks they do not have: with this on, an order's stock
    # usage (menu.services) may take an item below zero instead of refusing the move.
    allow_negative_stock = models.BooleanField(
        _("allow negative stock through sales"),
        default=False,
        db_default=False,
        help_text=_("Orders still move to the kitchen when their recipes need more than the stock on hand."),
    )
    # Attendance (attendance.services): how early a staff member may clock in before their shift
    # without a manager, and when a clock-out nobody made is closed by close_missed_clockouts.
    early_clock_in_minutes = models.PositiveSmallIntegerField(
        _("early clock-in allowance (minutes)"),
        default=15,
        db_default=15,
        validators=[MaxValueValidator(720)],
        help_text=_("A clock-in earlier than this before the shift needs a manager."),
    )
    auto_clock_out_time = models.TimeField(
        _("automatic clock-out time"),
        null=True,
        blank=True,
        help_text=_(
            "Entries still open at this local time are closed and flagged for review; "
            "empty: the shift's end plus the hours below."
        ),
    )
    auto_clock_out_after_hours = models.PositiveSmallIntegerField(
        _("automatic clock-out after the shift (hours)"),
        default=4,
        db_default=4,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    manager = models.ForeignKey(
        "accounts.User",
        verbose_name=_("manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_stores",
    )
    monthly_revenue_target_cents = CentsField(_("monthly revenue target"))
    daily_customer_target = models.PositiveIntegerField(_("daily customer target"), default=0)
    cost_ratio_target = models.DecimalField(
        _("food cost ratio target"),
        max_digits=5,
        decimal_places=4,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    labor_cost_ratio_target = models.DecimalField(
        _("labor cost ratio target"),
        max_digits=5,
        decimal_places=4,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    # The labor budget schedule generation aims at: scheduled labor cost as a percentage of
    # forecast sales (scheduling.budget). Empty: staff for the forecast load only.
    target_labor_percent = models.DecimalField(
        _("target labor %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Scheduled labor cost as a percentage of forecast sales that generation aims at, e.g. 25.00; "
            "empty: staff for the forecast load only."
        ),
    )

    objects = StoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status"], name="store_status_idx"),
            models.Index(fields=["city"], name="store_city_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_revenue_target_cents__gte=0), name="store_revenue_target_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(cost_ratio_target__gte=0, cost_ratio_target__lte=1)
                & Q(labor_cost_ratio_target__gte=0, labor_cost_ratio_target__lte=1),
                name="store_ratio_targets_range",
            ),
            models.CheckConstraint(
                condition=Q(target_labor_percent__isnull=True)
                | Q(target_labor_percent__gte=1, target_labor_percent__lte=100),
                name="store_target_labor_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"

    def clean(self):
        validate_business_hours(self.business_hours)

    def hours_on(self, weekday: int) -> list[tuple[str, str]]:
        """Opening intervals for a weekday (0 = Monday) as ("HH:MM", "HH:MM") pairs."""
        return [tuple(p) for p in (self.business_hours or {}).get(WEEKDAYS[weekday]) or []]


class Table(TimestampedModel):
    class Kind(models.TextChoices):
        HALL = "hall", _("Hall")
        PRIVATE_ROOM = "private_room", _("Private room")
        BANQUET_HALL = "banquet_hall", _("Banquet hall")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="tables")
    number = models.CharField(_("number"), max_length=20)
    capacity = models.PositiveSmallIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.HALL)
    room_name = models.CharField(_("room name"), max_length=60, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = StoreScopedManager()

    class Meta:
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        ordering = ["store", "number"]
        constraints = [
            models.UniqueConstraint(fields=["store", "number"], name="table_store_number_unique"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="table_capacity_positive"),
        ]

    def __str__(self) -> str:
        label = f"{self.room_name} " if self.room_name else ""
        return f"{self.store_id} {label}#{self.number} ({self.capacity})"


class Employee(TimestampedModel):
    class Position(models.TextChoices):
        WAITER = "waiter", _("Waiter")
        CHEF = "chef", _("Chef")
        KITCHEN_HELPER = "kitchen_helper", _("Kitchen helper")
        CASHIER = "cashier", _("Cashier")
        HOST = "host", _("Host")
        DISHWASHER = "dishwasher", _("Dishwasher")
        CLEANER = "cleaner", _("Cleaner")
        MANAGER = "manager", _("Manager")

    # Who may serve an order as its waiter (front of house); the kitchen and cleaning may not.
    SERVICE_POSITIONS = frozenset({Position.WAITER, Position.HOST, Position.CASHIER, Position.MANAGER})

    id = StringIdField(_("employee ID"))
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="employees")
    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee",
    )
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    skills = BoundedJSONField(_("skills"), default=list, blank=True)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    preferences = BoundedJSONField(
        _("preferences"),
        default=dict,
        blank=True,
        help_text=_('{"preferred_shifts": ["morning"], "days_off": ["sun"], "max_hours_per_week": 40}'),
    )
    performance_score = models.DecimalField(
        _("performance score"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    training_completed = BoundedJSONField(_("training completed"), default=list, blank=True)
    hourly_wage_cents = CentsField(_("hourly wage"))

    objects = StoreScopedManager()

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["store", "id"]
        indexes = [models.Index(fields=["store", "position", "is_active"], name="employee_store_pos_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(hourly_wage_cents__gte=0), name="employee_wage_nonneg"),
            models.CheckConstraint(
                condition=Q(performance_score__gte=0, performance_score__lte=100),
                name="employee_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id}, {self.get_position_display()})"

    def clean(self):
        errors = {}
        for field in ("skills", "training_completed"):
            try:
                validate_string_list(getattr(self, field))
            except ValidationError as exc:
                errors[field] = exc.messages
        prefs = self.preferences
        if not isinstance(prefs, dict):
            errors["preferences"] = [_("Must be an object.")]
        else:
            cap = prefs.get("max_hours_per_week")
            if cap is not None and (not isinstance(cap, (int, float)) or isinstance(cap, bool) or not 0 < cap <= 84):
                errors["preferences"] = [_("max_hours_per_week must be a number between 1 and 84.")]
            days_off = prefs.get("days_off", [])
            if not isinstance(days_off, list) or any(d not in WEEKDAYS for d in days_off):
                errors["preferences"] = [_("days_off must list weekdays: %s.") % ", ".join(WEEKDAYS)]
            shifts = prefs.get("preferred_shifts", [])
            valid = {"morning", "afternoon", "evening", "night"}
            if not isinstance(shifts, list) or any(s not in valid for s in shifts):
                errors["preferences"] = [
                    _("preferred_shifts must list shift types: morning, afternoon, evening, night.")
                ]
        if self.user_id and self.store_id and self.user.store_id and self.user.store_id != self.store_id:
            errors["user"] = [_("The login belongs to another store.")]
        if errors:
            raise ValidationError(errors)

    @property
    def max_hours_per_week(self) -> float | None:
        return (self.preferences or {}).get("max_hours_per_week")
