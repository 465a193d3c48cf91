"""The missed clock-out job (attendance/tasks.py), eagerly through Celery: it closes what is due
and a second run closes nothing (idempotent)."""

import datetime as dt

from attendance import services
from attendance.models import TimeEntry
from attendance.tasks import close_missed_clockouts
from attendance.tests.conftest import NOW, make_shift
from attendance.tests.factories import local

DAY = NOW.date()


def test_the_job_closes_missed_clock_outs_once(clock, worker, actors):
    make_shift(worker, DAY, dt.time(10), dt.time(18))
    entry = services.time_entry_clock_in(employee=worker, user=actors.staff)
    clock.set(local(DAY, 22, 0))  # the store's default: 4 h after the shift's end
    result = close_missed_clockouts.apply()
    assert result.successful(), result.traceback
    assert result.result == {"closed": 1}
    closed = TimeEntry.objects.get(pk=entry.pk)
    assert closed.clock_out_at == local(DAY, 18) and closed.needs_review
    assert close_missed_clockouts.apply().result == {"closed": 0}
    assert TimeEntry.objects.get(pk=entry.pk).clock_out_at == local(DAY, 18)
