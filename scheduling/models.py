import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stores.models import Employee
from zhilian import roles
from zhilian.jsonvalues import BoundedJSONField
from zhilian.models import StoreScopedQuerySet, TimestampedModel


class ScheduleQuerySet(StoreScopedQuerySet):
    def for_user(self, user):
        qs = super().for_user(user)
        # Staff see a schedule once it is published, not while it is being drafted.
        if user and user.is_authenticated and user.role == roles.Role.STAFF:
            qs = qs.filter(is_published=True)
        return qs


class ShiftQuerySet(StoreScopedQuerySet):
    def for_user(self, user):
        qs = super().for_user(user)
        if user and user.is_authenticated and user.role == roles.Role.STAFF:
            qs = qs.filter(schedule__is_published=True)
        return qs


class Schedule(TimestampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="schedules"
    )
    schedule_date = models.DateField(_("date"))
    is_published = models.BooleanField(_("published"), default=False, editable=False)
    published_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    # What generation demanded, filled and could not fill (gaps); empty for hand-made schedules.
    generation_report = BoundedJSONField(_("generation report"), default=dict, blank=True, editable=False)

    objects = models.Manager.from_queryset(ScheduleQuerySet)()
    # Set by the server, never by a client or an admin form (ids, timestamps, computed totals,
    # statuses moved only by transitions): the serializers' read_only_fields and the admin's
    # readonly fields.
    SERVER_OWNED_FIELDS = (
        "is_published",
        "published_by",
        "published_at",
        "generation_report",
        "created_at",
        "updated_at",
    )

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["-schedule_date", "store"]
        constraints = [
            models.UniqueConstraint(fields=["store", "schedule_date"], name="schedule_store_date_unique"),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(published_at__isnull=False),
                name="schedule_published_has_time",
            ),
        ]
        indexes = [models.Index(fields=["store", "is_published", "schedule_date"], name="schedule_store_pub_idx")]

    def __str__(self) -> str:
        return f"{self.store_id} {self.schedule_date}"


class Shift(TimestampedModel):
    class Type(models.TextChoices):
        MORNING = "morning", _("Morning")
        AFTERNOON = "afternoon", _("Afternoon")
        EVENING = "evening", _("Evening")
        NIGHT = "night", _("Night")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    schedule = models.ForeignKey(Schedule, verbose_name=_("schedule"), on_delete=models.CASCADE, related_name="shifts")
    employee = models.ForeignKey(
        "stores.Employee", verbose_name=_("employee"), on_delete=models.PROTECT, related_name="shifts"
    )
    shift_type = models.CharField(_("shift type"), max_length=16, choices=Type.choices)
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"), help_text=_("At or before the start: the shift ends the next day."))
    # Derived from the schedule's date and the times (kept for overlap checks and labor sums in SQL).
    starts_at = models.DateTimeField(_("starts at"), editable=False)
    ends_at = models.DateTimeField(_("ends at"), editable=False)
    # The position worked (an employee's Position; labels translated in the admin and the API).
    position = models.CharField(_("position"), max_length=20, blank=True, choices=Employee.Position.choices)
    is_confirmed = models.BooleanField(_("confirmed"), default=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    is_completed = models.BooleanField(_("completed"), default=False)
    notes = models.CharField(_("notes"), max_length=255, blank=True)

    objects = models.Manager.from_queryset(ShiftQuerySet)()
    # Set by the server, never by a client or an admin form (ids, timestamps, computed totals,
    # statuses moved only by transitions): the serializers' read_only_fields and the admin's
    # readonly fields.
    SERVER_OWNED_FIELDS = ("starts_at", "ends_at", "is_confirmed", "confirmed_at", "created_at", "updated_at")
    store_lookup = "schedule__store"

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "employee"]
        indexes = [
            models.Index(fields=["employee", "starts_at"], name="shift_employee_start_idx"),
            models.Index(fields=["schedule", "starts_at"], name="shift_schedule_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_end_after_start"),
            models.CheckConstraint(condition=~Q(start_time=F("end_time")), name="shift_not_zero_length"),
        ]

    def __str__(self) -> str:
        # The shift type in the reader's language (the inline's row title), not its stored code.
        return f"{self.employee_id} {self.get_shift_type_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    @staticmethod
    def bounds(day: dt.date, start: dt.time, end: dt.time) -> tuple[dt.datetime, dt.datetime]:
        """Aware start and end of a shift on `day`; an end at or before the start is next day."""
        tz = timezone.get_current_timezone()
        starts = timezone.make_aware(dt.datetime.combine(day, start), tz)
        end_day = day + dt.timedelta(days=1) if end <= start else day
        ends = timezone.make_aware(dt.datetime.combine(end_day, end), tz)
        return starts, ends

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600

    def set_bounds(self) -> None:
        self.starts_at, self.ends_at = self.bounds(self.schedule.schedule_date, self.start_time, self.end_time)

    def clean(self):
        errors = {}
        if self.start_time and self.end_time and self.start_time == self.end_time:
            errors["end_time"] = _("A shift cannot end when it starts.")
        if self.employee_id and self.schedule_id and self.employee.store_id != self.schedule.store_id:
            errors["employee"] = _("The employee works in another store.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.set_bounds()
        if kwargs.get("update_fields") is not None and {"start_time", "end_time"} & set(kwargs["update_fields"]):
            kwargs["update_fields"] = {*kwargs["update_fields"], "starts_at", "ends_at"}
        super().save(*args, **kwargs)


class OwnForStaffQuerySet(StoreScopedQuerySet):
    """Staff see their own rows only (a colleague's leave or availability is not theirs to read)."""

    store_lookup = "employee__store"

    def for_user(self, user):
        qs = super().for_user(user)
        if user and user.is_authenticated and user.role == roles.Role.STAFF:
            qs = qs.filter(employee__user=user)
        return qs


class LeaveRequest(TimestampedModel):
    """A dated time-off request (请假): asked by the employee or their manager, decided by a manager.

    The moves are in ``TRANSITIONS``; an approved leave keeps generation and manual shift edits off
    its days (scheduling.assignment), ``start_date`` to ``end_date`` inclusive.
    """

    class Type(models.TextChoices):
        ANNUAL = "annual", _("Annual leave")
        SICK = "sick", _("Sick leave")
        PERSONAL = "personal", _("Personal leave")
        UNPAID = "unpaid", _("Unpaid leave")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DENIED = "denied", _("Denied")
        CANCELLED = "cancelled", _("Cancelled")

    # Which status may follow which: only a pending request is decided; approved leave may still
    # be cancelled (by a manager), a denied or cancelled one is history.
    TRANSITIONS = {
        Status.PENDING: (Status.APPROVED, Status.DENIED, Status.CANCELLED),
        Status.APPROVED: (Status.CANCELLED,),
        Status.DENIED: (),
        Status.CANCELLED: (),
    }
    # Requests that hold their days: a new one may not overlap them.
    HOLDING = (Status.PENDING, Status.APPROVED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    employee = models.ForeignKey(
        "stores.Employee", verbose_name=_("employee"), on_delete=models.PROTECT, related_name="leave_requests"
    )
    leave_type = models.CharField(_("leave type"), max_length=16, choices=Type.choices)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=255, blank=True)

    objects = models.Manager.from_queryset(OwnForStaffQuerySet)()
    store_lookup = "employee__store"
    SERVER_OWNED_FIELDS = (
        "status",
        "requested_by",
        "decided_by",
        "decided_at",
        "decision_note",
        "created_at",
        "updated_at",
    )

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-start_date", "employee"]
        indexes = [models.Index(fields=["employee", "status", "start_date"], name="leave_employee_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="leave_end_not_before_start"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "denied", "cancelled"]), name="leave_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee.name} · {self.get_leave_type_display()} {self.start_date}–{self.end_date}"

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The last day cannot come before the first.")})


class Availability(TimestampedModel):
    """When an employee can work on a weekday: one or more ranges a shift must fit in.

    A weekday without ranges is open all day (unless it is one of the employee's ``days_off``);
    an end at or before the start runs past midnight, like a shift's.
    """

    class Weekday(models.IntegerChoices):
        MON = 0, _("Monday")
        TUE = 1, _("Tuesday")
        WED = 2, _("Wednesday")
        THU = 3, _("Thursday")
        FRI = 4, _("Friday")
        SAT = 5, _("Saturday")
        SUN = 6, _("Sunday")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    employee = models.ForeignKey(
        "stores.Employee", verbose_name=_("employee"), on_delete=models.CASCADE, related_name="availability"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"), help_text=_("At or before the start: until that time the next day."))

    objects = models.Manager.from_queryset(OwnForStaffQuerySet)()
    store_lookup = "employee__store"

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availability")
        ordering = ["employee", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="availability_weekday_range"),
            models.CheckConstraint(condition=~Q(start_time=F("end_time")), name="availability_not_zero_length"),
            models.UniqueConstraint(fields=["employee", "weekday", "start_time"], name="availability_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    def clean(self):
        if self.start_time is not None and self.start_time == self.end_time:
            raise ValidationError({"end_time": _("A range cannot end when it starts.")})
