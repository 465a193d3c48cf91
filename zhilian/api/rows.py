"""Values as the API renders them, for reads that build their JSON from rows instead of through
serializers (orders, inventory, reservations, shifts, the dashboard): each function gives exactly
what the matching DRF field gives, which the per-app guard tests hold."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def datetime_text(value: dt.datetime | None, tz) -> str | None:
    """DRF's DateTimeField output: ISO 8601 in the current time zone, "Z" for UTC."""
    if value is None:
        return None
    if tz is not None and timezone.is_aware(value):
        value = value.astimezone(tz)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
