"""Shared model building blocks: the timestamped base, store scoping, money and ID fields."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from zhilian import roles
from zhilian.dates import HHMM_RE, parse_hhmm
from zhilian.formatting import format_yuan  # noqa: F401  (the one formatter; re-exported)

STRING_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,50}$")
validate_string_id = RegexValidator(
    STRING_ID_RE,
    _("Use 1 to 50 letters, digits, underscores or hyphens."),
    code="invalid_id",
)


class StringIdField(models.CharField):
    """Readable primary key of a business entity (`STORE001`, `EMP001`, `INV001`)."""

    default_validators = [validate_string_id]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 50)
        kwargs.setdefault("primary_key", True)
        super().__init__(*args, **kwargs)


class YuanFormField(forms.DecimalField):
    """Edits an amount in yuan (two decimals) for a model field that stores cents."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("max_digits", 16)
        kwargs.pop("max_value", None)
        kwargs.pop("min_value", None)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return (Decimal(value) / 100).quantize(Decimal("0.01"))
        return value

    def clean(self, value):
        yuan = super().clean(value)
        return None if yuan is None else int((yuan * 100).to_integral_value())


class CentsField(models.BigIntegerField):
    """Money in integer cents. Shown and edited in yuan in forms; cents in the API."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", 0)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": YuanFormField, **kwargs})


QUANTITY = {"max_digits": 12, "decimal_places": 3}


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class StoreScopedQuerySet(models.QuerySet):
    """Rows a user may see: admins and finance everything, area managers their regions' stores',
    everyone else their own store's (`store_scope`, the one rule).

    Each model names the path to its store in `store_lookup` (``"store"``, ``"order__store"``).
    Models whose visibility has more to it (users, notifications, staff and unpublished
    schedules) override `for_user`; every viewset and ModelAdmin goes through it.
    """

    def for_user(self, user) -> StoreScopedQuerySet:
        lookup = getattr(self.model, "store_lookup", "store")
        return filter_by_store_scope(self, user, f"{lookup}_id")


ALL_STORES = "*"


def store_scope(user):
    """The stores whose rows a user may see, in the form a filter takes:

    - None: nothing (anonymous or inactive, a store user without a store);
    - ALL_STORES: every store (admins; finance, who reads the chain);
    - a store ID: the one store of a manager or staff member;
    - a subquery of store IDs: an area manager's regions' stores (a subquery, not a list, so
      scoping a queryset adds no query of its own and sees a region change at once).
    """
    if not (user and user.is_authenticated and user.is_active):
        return None
    if user.role in (roles.ADMIN, roles.FINANCE):
        return ALL_STORES
    if user.role == roles.AREA_MANAGER:
        from stores.models import Store

        return Store.objects.filter(region__area_managers=user.pk).values("pk")
    return user.store_id or None


def filter_by_store_scope(queryset, user, field: str):
    """`queryset` limited to the rows whose `field` (a store ID column) is in the user's scope."""
    scope = store_scope(user)
    if scope is None:
        return queryset.none()
    if scope is ALL_STORES:
        return queryset
    if isinstance(scope, str):
        return queryset.filter(**{field: scope})
    return queryset.filter(**{f"{field}__in": scope})


def in_store_scope(user, store_id) -> bool:
    """May the user see the rows of this store (one query for an area manager, none otherwise)?"""
    scope = store_scope(user)
    if scope is None or not store_id:
        return False
    if scope is ALL_STORES:
        return True
    if isinstance(scope, str):
        return scope == store_id
    return scope.filter(pk=store_id).exists()


def visible_store(user) -> str | tuple[str, ...] | None:
    """The store(s) whose rows a user may see: ALL_STORES for admins and finance, a store ID, the
    tuple of an area manager's store IDs, None for nobody. For reads that build their own SQL
    (zhilian.prepared); querysets use `for_user`."""
    scope = store_scope(user)
    if scope is None or isinstance(scope, str):
        return scope
    return tuple(scope.values_list("pk", flat=True))


StoreScopedManager = models.Manager.from_queryset(StoreScopedQuerySet)


class DailySequence(models.Model):
    """Per-scope, per-day counters for server-generated IDs (orders, reservations)."""

    scope = models.CharField(max_length=80)
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "day"], name="dailysequence_scope_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.day}: {self.last_value}"


def next_daily_value(scope: str, day: dt.date) -> int:
    """Atomically take the next number of (scope, day): one upsert, safe under concurrency.

    PostgreSQL and SQLite (3.35+) both run INSERT ... ON CONFLICT ... RETURNING, so two
    concurrent callers never get the same value and no check-then-create race exists.
    """
    table = DailySequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, day, last_value) VALUES (%s, %s, 1) "
            f"ON CONFLICT (scope, day) DO UPDATE SET last_value = {table}.last_value + 1 "
            "RETURNING last_value",
            [scope, day],
        )
        return cursor.fetchone()[0]


def reserve_daily_values(scope: str, day: dt.date, count: int) -> int:
    """Reserve `count` consecutive numbers at once (bulk seeding); returns the first."""
    table = DailySequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, day, last_value) VALUES (%s, %s, %s) "
            f"ON CONFLICT (scope, day) DO UPDATE SET last_value = {table}.last_value + %s "
            "RETURNING last_value",
            [scope, day, count, count],
        )
        return cursor.fetchone()[0] - count + 1


def validate_business_hours(value) -> None:
    """{"mon": [["10:30", "14:00"], ["17:00", "22:00"]], ...}: weekday keys, HH:MM pairs."""
    from django.core.exceptions import ValidationError

    weekdays = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    message = _('Give each weekday (mon..sun) a list of ["HH:MM", "HH:MM"] intervals, open before close.')
    if not isinstance(value, dict):
        raise ValidationError({"business_hours": message})
    for day, intervals in value.items():
        if day not in weekdays or not isinstance(intervals, list):
            raise ValidationError({"business_hours": message})
        for interval in intervals:
            if (
                not isinstance(interval, list | tuple)
                or len(interval) != 2
                or not all(isinstance(t, str) and HHMM_RE.match(t) for t in interval)
                or parse_hhmm(interval[0]) >= parse_hhmm(interval[1])
            ):
                raise ValidationError({"business_hours": message})


def validate_string_list(value) -> None:
    from django.core.exceptions import ValidationError

    if not isinstance(value, list) or any(not isinstance(v, str) or len(v) > 100 for v in value):
        raise ValidationError(_("Must be a list of short strings."))
