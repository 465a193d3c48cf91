"""Serializer fields with the project's input bounds: JSON values, business days and moments."""

from __future__ import annotations

import datetime as dt

from rest_framework import serializers

from zhilian.dates import EARLIEST_RECORD_DATE, day_problem, moment_problem
from zhilian.jsonvalues import JSONBoundsValidator, json_problem


class JSONValueField(serializers.JSONField):
    """A JSON value within the bounds of zhilian.jsonvalues, checked before anything else walks
    it (DRF's own field re-encodes the value with the recursive json module, which a deep enough
    value turns into a RecursionError). Bodies are JSON only, so the value is never form text."""

    def to_internal_value(self, data):
        if problem := json_problem(data):
            raise serializers.ValidationError(problem, code=JSONBoundsValidator.code)
        return data


class DayField(serializers.DateField):
    """A business day (2000..2099), or a date of record with `earliest=EARLIEST_RECORD_DATE`."""

    def __init__(self, *args, earliest: dt.date | None = None, **kwargs):
        self.earliest = earliest
        super().__init__(*args, **kwargs)

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        bounds = {"earliest": self.earliest} if self.earliest else {}
        if problem := day_problem(day, **bounds):
            raise serializers.ValidationError(problem, code="date_out_of_range")
        return day


class RecordDateField(DayField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("earliest", EARLIEST_RECORD_DATE)
        super().__init__(*args, **kwargs)


class MomentField(serializers.DateTimeField):
    """A date and time on a business day."""

    def to_internal_value(self, value):
        try:
            moment = super().to_internal_value(value)
        except OverflowError:
            moment = None
        if problem := moment_problem(moment):
            raise serializers.ValidationError(problem, code="date_out_of_range")
        return moment
