"""Reads of open shifts and swap requests (the lists, what a staff member may claim, the grid's row)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from scheduling.models import OpenShift, ShiftSwapRequest
from stores.models import Employee


def open_shift_queryset() -> QuerySet:
    return OpenShift.objects.select_related("schedule", "claimed_by")


def swap_request_queryset() -> QuerySet:
    return ShiftSwapRequest.objects.select_related("shift__schedule", "requested_by", "target", "taker")


def claimable_open_shifts(user, employee: Employee, *, days_ahead: int = 28) -> list[OpenShift]:
    """Open shifts of the employee's store, position and skills that have not started (one query).
    Overlaps and hours caps are checked when they claim (the same check as any manual change)."""
    now = timezone.now()
    rows = (
        open_shift_queryset()
        .for_user(user)
        .filter(
            schedule__store_id=employee.store_id,
            status=OpenShift.Status.OPEN,
            position=employee.position,
            starts_at__gt=now,
            starts_at__lt=now + dt.timedelta(days=days_ahead),
        )
        .order_by("starts_at", "pk")
    )
    skills = set(employee.skills or [])
    return [row for row in rows if set(row.required_skills or []) <= skills]


def week_open_shifts(*, store_id: str, days: list[dt.date], user) -> list[dict[str, Any]]:
    """The week grid's open-shift rows: per position, per day, the open and pending open shifts
    (one query)."""
    rows = (
        open_shift_queryset()
        .for_user(user)
        .filter(
            schedule__store_id=store_id,
            schedule__schedule_date__range=(days[0], days[-1]),
            status__in=[OpenShift.Status.OPEN, OpenShift.Status.PENDING_APPROVAL],
        )
        .order_by("position", "starts_at", "pk")
    )
    by_position: dict[str, dict[dt.date, list[OpenShift]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        by_position[row.position][row.schedule.schedule_date].append(row)
    labels = dict(Employee.Position.choices)
    return [
        {
            "position": position,
            "label": labels.get(position, position),
            "cells": [{"day": d, "items": per_day.get(d, [])} for d in days],
        }
        for position, per_day in by_position.items()
    ]
