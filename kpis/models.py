import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from zhilian.jsonvalues import BoundedJSONField
from zhilian.models import StoreScopedManager, StringIdField, TimestampedModel

VALUE = {"max_digits": 16, "decimal_places": 4}


class KPIQuerySet(models.QuerySet):
    def for_user(self, user):
        # KPI definitions are chain-wide: every signed-in user may read them.
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self


class KPI(TimestampedModel):
    class Category(models.TextChoices):
        REVENUE = "revenue", _("Revenue")
        COST = "cost", _("Cost")
        EFFICIENCY = "efficiency", _("Efficiency")
        QUALITY = "quality", _("Quality")
        CUSTOMER = "customer", _("Customer")

    class Metric(models.TextChoices):
        REVENUE = "revenue", _("Revenue")
        ORDER_COUNT = "order_count", _("Order count")
        AVERAGE_CHECK = "average_check", _("Average check")
        TABLE_TURNOVER = "table_turnover", _("Table turnover")
        REVPASH = "revpash", _("Revenue per available seat hour")
        FOOD_COST_RATIO = "food_cost_ratio", _("Food cost ratio")
        LABOR_COST_RATIO = "labor_cost_ratio", _("Labor cost ratio")
        WASTE_COST = "waste_cost", _("Waste cost")
        AVERAGE_TICKET_TIME = "average_ticket_time", _("Average ticket time")
        NO_SHOW_RATE = "no_show_rate", _("Reservation no-show rate")
        STOCK_OUTS = "stock_outs", _("Stock-outs")
        THEORETICAL_FOOD_COST = "theoretical_food_cost", _("Theoretical food cost")
        ACTUAL_FOOD_COST = "actual_food_cost", _("Actual food cost")
        WALK_INS_SEATED = "walk_ins_seated", _("Walk-ins seated")
        AVERAGE_WAIT = "average_wait", _("Average walk-in wait")
        ABANDONMENT_RATE = "abandonment_rate", _("Waitlist abandonment rate")

    class Direction(models.TextChoices):
        HIGHER_IS_BETTER = "higher_is_better", _("Higher is better")
        LOWER_IS_BETTER = "lower_is_better", _("Lower is better")

    id = StringIdField(_("KPI ID"))
    name = models.CharField(_("name"), max_length=120)
    # The Chinese name of a user-defined KPI; the built-in names are translated by the catalogue.
    name_zh = models.CharField(_("Chinese name"), max_length=120, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    metric = models.CharField(_("metric"), max_length=32, choices=Metric.choices)
    direction = models.CharField(
        _("direction"), max_length=20, choices=Direction.choices, default=Direction.HIGHER_IS_BETTER
    )
    target_value = models.DecimalField(_("target"), **VALUE, null=True, blank=True)
    warning_threshold = models.DecimalField(_("warning threshold"), **VALUE, null=True, blank=True)
    critical_threshold = models.DecimalField(_("critical threshold"), **VALUE, null=True, blank=True)
    calculation_method = models.TextField(_("calculation method"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = KPIQuerySet.as_manager()
    # Set by the server, never by a client or an admin form (ids, timestamps, computed totals,
    # statuses moved only by transitions): the serializers' read_only_fields and the admin's
    # readonly fields.
    SERVER_OWNED_FIELDS = ("created_at", "updated_at")

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["category", "id"]
        constraints = [
            # Higher-is-better: warning at or above critical; lower-is-better: mirrored.
            models.CheckConstraint(
                condition=Q(warning_threshold__isnull=True)
                | Q(critical_threshold__isnull=True)
                | Q(direction="higher_is_better", warning_threshold__gte=models.F("critical_threshold"))
                | Q(direction="lower_is_better", warning_threshold__lte=models.F("critical_threshold")),
                name="kpi_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized_kpi_name(self.name, self.name_zh)


def localized_kpi_name(name: str, name_zh: str = "") -> str:
    """The name in the active language: a stored Chinese name where there is one, else the
    catalogue's translation of the English name (the built-in definitions), else the name."""
    if name_zh and (get_language() or "").lower().startswith("zh"):
        return name_zh
    return gettext(name) if name else name


class KPIRecord(TimestampedModel):
    class Status(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        OFF_TRACK = "off_track", _("Off track")

    class Trend(models.TextChoices):
        INCREASING = "increasing", _("Increasing")
        DECREASING = "decreasing", _("Decreasing")
        STABLE = "stable", _("Stable")
        VOLATILE = "volatile", _("Volatile")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kpi = models.ForeignKey(KPI, verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="records")
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="kpi_records"
    )
    record_date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), **VALUE)
    target_value = models.DecimalField(_("target"), **VALUE, null=True, blank=True)
    achievement_rate = models.DecimalField(_("achievement rate"), **VALUE, null=True, blank=True)
    previous_value = models.DecimalField(_("previous value"), **VALUE, null=True, blank=True)
    change_rate = models.DecimalField(_("change rate"), **VALUE, null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ON_TRACK)
    trend = models.CharField(_("trend"), max_length=16, choices=Trend.choices, default=Trend.STABLE)
    metadata = BoundedJSONField(_("metadata"), default=dict, blank=True)

    objects = StoreScopedManager()

    class Meta:
        verbose_name = _("KPI record")
        verbose_name_plural = _("KPI records")
        ordering = ["-record_date", "kpi"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "store", "record_date"], name="kpirecord_kpi_store_date_unique"),
        ]
        indexes = [
            models.Index(fields=["store", "-record_date"], name="kpirecord_store_date_idx"),
            models.Index(fields=["store", "status", "-record_date"], name="kpirecord_store_status_idx"),
        ]

    def __str__(self) -> str:
        # Names the record, not its raw value (the value is shown in its unit where it is listed).
        return f"{self.kpi_id} {self.store_id} {self.record_date}"
