"""Time clock and timesheets: what really happened against the schedule.

One `TimeEntry` per stretch of work (clock-in to clock-out) with its `BreakPeriod` rows; the
entry keeps its break and worked seconds as integers once known, so every report is a SQL sum.
A `Timesheet` is an employee's week as computed by `attendance.overtime`, approved by a manager
and then locked. `PublicHoliday` is China's holiday calendar as data (statutory holidays, the
rest days of a holiday break, and 调休 make-up workdays).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhilian import roles
from zhilian.models import CentsField, StoreScopedQuerySet, TimestampedModel


class OwnRowsForStaffQuerySet(StoreScopedQuerySet):
    """Staff see their own attendance only (a colleague's hours are not theirs to read)."""

    employee_lookup = "employee__user"

    def for_user(self, user):
        qs = super().for_user(user)
        if user and user.is_authenticated and user.role == roles.Role.STAFF:
            qs = qs.filter(**{self.employee_lookup: user})
        return qs


class BreakQuerySet(OwnRowsForStaffQuerySet):
    employee_lookup = "entry__employee__user"


class HolidayQuerySet(models.QuerySet):
    """The calendar is chain-wide: every signed-in user reads it."""

    def for_user(self, user):
        return self if user and user.is_authenticated and user.is_active else self.none()


class TimeEntry(TimestampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="time_entries"
    )
    employee = models.ForeignKey(
        "stores.Employee", verbose_name=_("employee"), on_delete=models.PROTECT, related_name="time_entries"
    )
    # The scheduled shift the clock-in was matched to; empty: unscheduled work.
    shift = models.ForeignKey(
        "scheduling.Shift",
        verbose_name=_("shift"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="time_entries",
    )
    # The day the work counts for (the shift's day, else the local day of the clock-in).
    business_date = models.DateField(_("business date"))
    clock_in_at = models.DateTimeField(_("clock-in"))
    clock_out_at = models.DateTimeField(_("clock-out"), null=True, blank=True)
    break_seconds = models.PositiveIntegerField(_("break seconds"), default=0)
    # Clock-out minus clock-in minus breaks; empty while the entry is open.
    worked_seconds = models.PositiveIntegerField(_("worked seconds"), null=True, blank=True)
    auto_closed = models.BooleanField(_("closed automatically"), default=False)
    needs_review = models.BooleanField(_("needs review"), default=False)
    clocked_in_by = models.ForeignKey(
        "accounts.User", verbose_name=_("clocked in by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    clocked_out_by = models.ForeignKey(
        "accounts.User", verbose_name=_("clocked out by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    # Why a manager punched for someone, or changed the entry last (the full trail: zhilian.audit).
    edit_reason = models.CharField(_("reason"), max_length=255, blank=True)
    notes = models.CharField(_("notes"), max_length=255, blank=True)

    objects = models.Manager.from_queryset(OwnRowsForStaffQuerySet)()
    SERVER_OWNED_FIELDS = (
        "store",
        "business_date",
        "worked_seconds",
        "auto_closed",
        "needs_review",
        "clocked_in_by",
        "clocked_out_by",
        "created_at",
        "updated_at",
    )

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        ordering = ["-clock_in_at"]
        constraints = [
            # Two concurrent clock-ins of one employee: the database lets exactly one through.
            models.UniqueConstraint(
                fields=["employee"], condition=Q(clock_out_at__isnull=True), name="timeentry_one_open_per_employee"
            ),
            models.CheckConstraint(
                condition=Q(clock_out_at__isnull=True) | Q(clock_out_at__gte=F("clock_in_at")),
                name="timeentry_out_after_in",
            ),
            models.CheckConstraint(
                condition=Q(clock_out_at__isnull=True) | Q(worked_seconds__isnull=False),
                name="timeentry_closed_has_worked",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "business_date"], name="timeentry_store_day_idx"),
            models.Index(fields=["employee", "business_date"], name="timeentry_employee_day_idx"),
            models.Index(fields=["store", "needs_review"], name="timeentry_store_review_idx"),
        ]

    def __str__(self) -> str:
        end = f"{timezone.localtime(self.clock_out_at):%H:%M}" if self.clock_out_at else "…"
        return f"{self.employee_id} {self.business_date} {timezone.localtime(self.clock_in_at):%H:%M}-{end}"

    @property
    def is_open(self) -> bool:
        return self.clock_out_at is None


class BreakPeriod(TimestampedModel):
    entry = models.ForeignKey(TimeEntry, verbose_name=_("time entry"), on_delete=models.CASCADE, related_name="breaks")
    started_at = models.DateTimeField(_("break start"))
    ended_at = models.DateTimeField(_("break end"), null=True, blank=True)

    objects = models.Manager.from_queryset(BreakQuerySet)()
    store_lookup = "entry__store"

    class Meta:
        verbose_name = _("break")
        verbose_name_plural = _("breaks")
        ordering = ["started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=Q(ended_at__isnull=True), name="breakperiod_one_open_per_entry"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="breakperiod_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        end = f"{timezone.localtime(self.ended_at):%H:%M}" if self.ended_at else "…"
        return f"{timezone.localtime(self.started_at):%H:%M}-{end}"


class Timesheet(TimestampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    store = models.ForeignKey("stores.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey(
        "stores.Employee", verbose_name=_("employee"), on_delete=models.PROTECT, related_name="timesheets"
    )
    week_start = models.DateField(_("week (Monday)"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Minutes, as attendance.overtime computed them from the week's entries.
    worked_minutes = models.PositiveIntegerField(_("worked minutes"), default=0)
    regular_minutes = models.PositiveIntegerField(_("regular minutes"), default=0)
    overtime_workday_minutes = models.PositiveIntegerField(_("workday overtime minutes"), default=0)
    overtime_rest_day_minutes = models.PositiveIntegerField(_("rest-day overtime minutes"), default=0)
    overtime_holiday_minutes = models.PositiveIntegerField(_("holiday overtime minutes"), default=0)
    hourly_wage_cents = CentsField(_("hourly wage"))
    gross_pay_cents = CentsField(_("gross pay"))
    days = models.JSONField(_("days"), default=list, blank=True)
    approved_by = models.ForeignKey(
        "accounts.User", verbose_name=_("approved by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    objects = models.Manager.from_queryset(OwnRowsForStaffQuerySet)()
    SERVER_OWNED_FIELDS = (
        "store",
        "status",
        "worked_minutes",
        "regular_minutes",
        "overtime_workday_minutes",
        "overtime_rest_day_minutes",
        "overtime_holiday_minutes",
        "hourly_wage_cents",
        "gross_pay_cents",
        "days",
        "approved_by",
        "approved_at",
        "created_at",
        "updated_at",
    )

    class Meta:
        verbose_name = _("timesheet")
        verbose_name_plural = _("timesheets")
        ordering = ["-week_start", "employee"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "week_start"], name="timesheet_employee_week_unique"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False), name="timesheet_approved_has_time"
            ),
        ]
        indexes = [models.Index(fields=["store", "week_start", "status"], name="timesheet_store_week_idx")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.week_start}"

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)


class PublicHoliday(TimestampedModel):
    """A day of China's holiday calendar (国务院办公厅's yearly notice), loaded with
    `manage.py load_public_holidays` and editable in the admin."""

    class Kind(models.TextChoices):
        # 法定节假日: work on it is paid 3×.
        HOLIDAY = "holiday", _("Statutory holiday")
        # The other days of a holiday break (moved rest days): work is rest-day overtime, 2×.
        REST_DAY = "rest_day", _("Holiday-break rest day")
        # 调休上班: a weekend day worked as an ordinary workday.
        WORKDAY = "workday", _("Make-up workday (调休上班)")

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.HOLIDAY)

    # Chain-wide: everyone reads the calendar.
    objects = models.Manager.from_queryset(HolidayQuerySet)()

    class Meta:
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name} ({self.get_kind_display()})"
