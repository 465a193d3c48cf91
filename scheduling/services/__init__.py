"""Scheduling writes, split by concern: generation (demand → pure assignment → bulk write),
publishing and confirmation, manual schedule and shift edits, time off and availability. Reads are in
scheduling.selectors."""

from scheduling.services.availability import availability_create, availability_delete, availability_update
from scheduling.services.edits import (
    SHIFT_EDITABLE,
    schedule_create,
    schedule_delete,
    schedule_update,
    shift_check,
    shift_create,
    shift_delete,
    shift_update,
)
from scheduling.services.generation import MAX_RANGE_DAYS, schedule_generate, schedule_generate_range
from scheduling.services.leave import leave_request_cancel, leave_request_create, leave_request_decide
from scheduling.services.publishing import schedule_publish, shift_confirm

__all__ = [
    "availability_create",
    "availability_delete",
    "availability_update",
    "leave_request_cancel",
    "leave_request_create",
    "leave_request_decide",
    "MAX_RANGE_DAYS",
    "SHIFT_EDITABLE",
    "schedule_create",
    "schedule_delete",
    "schedule_generate",
    "schedule_generate_range",
    "schedule_publish",
    "schedule_update",
    "shift_check",
    "shift_confirm",
    "shift_create",
    "shift_delete",
    "shift_update",
]
