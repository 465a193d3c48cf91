"""The seed's older schedules come from the domain's own demand model and assignment rules."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command

from scheduling.demand import schedule_demand
from scheduling.models import Schedule, Shift
from stores.models import Store

END_DATE = dt.date(2026, 11, 20)

pytestmark = pytest.mark.django_db


def test_history_schedules_are_staffed_with_the_services_numbers():
    call_command("seed", "--stores=1", "--days=24", f"--end-date={END_DATE}", "--quiet")
    store = Store.objects.get()
    window_start = END_DATE - dt.timedelta(days=13)  # the last 14 days onwards come from schedule_generate
    service_report = Schedule.objects.get(schedule_date=END_DATE + dt.timedelta(days=1)).generation_report
    history = list(Schedule.objects.filter(store=store, schedule_date__lt=window_start).order_by("schedule_date"))
    assert len(history) == 10
    shifts = Counter(
        Shift.objects.filter(schedule__in=history).values_list("schedule__schedule_date", "notes", "position")
    )
    assert any(s.generation_report["basis"] == "history" for s in history)
    for schedule in history:
        day = schedule.schedule_date
        report = schedule.generation_report
        assert set(report) == set(service_report), "the same report as the service writes"
        # The demand the service computes now from the written orders is what the seed staffed for.
        demand = schedule_demand(store=store, day=day)
        assert [(p["name"], p["needs"]) for p in report["periods"]] == [(p.name, p.needs) for p in demand]
        for period in report["periods"]:
            for position, filled in period["filled"].items():
                full = shifts[(day, f"generated: {period['name']}", position)]
                assert full + shifts[(day, f"generated: {period['name']} (peak)", position)] == filled
                assert filled <= period["needs"][position]
        for gap in report["gaps"]:
            period = next(p for p in report["periods"] if p["name"] == gap["period"])
            assert gap["filled"] == period["filled"][gap["position"]] <= gap["needed"] and gap["short_hours"] > 0


def test_seeded_leave_and_availability_are_respected_by_generation():
    from django.utils import timezone

    from scheduling.models import Availability, LeaveRequest
    from scheduling.selectors import schedule_violations

    call_command("seed", "--stores=1", "--days=21", f"--end-date={END_DATE}", "--quiet")
    store = Store.objects.get()
    approved = LeaveRequest.objects.get(status="approved")
    pending = LeaveRequest.objects.get(status="pending")
    assert approved.decided_by == store.manager and pending.requested_by == pending.employee.user
    assert not Shift.objects.filter(
        employee=approved.employee, schedule__schedule_date__range=(approved.start_date, approved.end_date)
    ).exists()
    lunch = Availability.objects.filter(end_time=dt.time(15)).first().employee
    for shift in Shift.objects.filter(employee=lunch, schedule__schedule_date__gt=END_DATE - dt.timedelta(days=13)):
        if shift.schedule.schedule_date.weekday() < 5:
            assert timezone.localtime(shift.ends_at).time() <= dt.time(15) and shift.start_time >= dt.time(9)
    window = (END_DATE - dt.timedelta(days=13), END_DATE + dt.timedelta(days=7))
    kinds = {v.kind for v in schedule_violations(store_id=store.pk, start=window[0], end=window[1])}
    assert not kinds & {"leave", "availability"}
