"""Schedule generation: demand from history, assignment rules, honest gaps, regeneration, locking."""

import datetime as dt
from collections import defaultdict

import pytest

from scheduling import demand, services
from scheduling.models import Schedule, Shift
from scheduling.tests.conftest import DAY, FULL_TEAM, HOURS, make_history, make_staff
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory
from zhilian.errors import Locked

pytestmark = pytest.mark.django_db


def _by_period(schedule):
    rows = defaultdict(list)
    for shift in schedule.shifts.select_related("employee"):
        rows[shift.start_time].append(shift)
    return rows


def _assert_no_overlaps(employee_ids):
    for employee_id in employee_ids:
        spans = sorted(Shift.objects.filter(employee_id=employee_id).values_list("starts_at", "ends_at"))
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert end <= start, f"{employee_id} double-booked"


def test_demand_follows_order_history(busy_store):
    periods = demand.schedule_demand(store=busy_store, day=DAY)
    assert [(p.name, p.start_time, p.end_time) for p in periods] == [
        ("lunch", dt.time(10, 30), dt.time(14, 30)),
        ("dinner", dt.time(16, 30), dt.time(22, 30)),
    ]
    lunch, dinner = periods
    # 4 past Wednesdays: 2 orders at 12h, 30 at 18h and 19h, 3 guests each; cancelled orders ignored.
    assert lunch.peak_orders_per_hour == 2 and lunch.peak_guests_per_hour == 6
    assert dinner.peak_orders_per_hour == 30 and dinner.peak_guests_per_hour == 90
    assert lunch.needs == {"waiter": 1, "chef": 1, "cashier": 1}
    # ceil(load / per_head - 0.2): waiter 90/15=6, host 90/80=1.125->1, chef 30/12=2.5->3,
    # helper 30/25=1.2->1, cashier 30/40=0.75->1, dishwasher 90/80->1
    assert dinner.needs == {"waiter": 6, "host": 1, "chef": 3, "kitchen_helper": 1, "cashier": 1, "dishwasher": 1}


def test_demand_without_history_is_minimum_staffing(store):
    store.business_hours = HOURS
    store.save()
    periods = demand.schedule_demand(store=store, day=DAY)
    assert [p.needs for p in periods] == [{"waiter": 1, "chef": 1, "cashier": 1}] * 2


def test_demand_other_weekday_and_other_store_do_not_count(busy_store, other_store):
    other_store.business_hours = HOURS
    other_store.save()
    make_history(other_store, per_hour={18: 100})
    thursday = DAY + dt.timedelta(days=1)
    assert all(p.peak_orders_per_hour == 0 for p in demand.schedule_demand(store=busy_store, day=thursday))
    dinner = demand.schedule_demand(store=busy_store, day=DAY)[1]
    assert dinner.peak_orders_per_hour == 30


def test_long_opening_is_split_and_closed_day_is_empty(store):
    store.business_hours = {"wed": [["10:00", "22:00"]]}
    store.save()
    periods = demand.schedule_demand(store=store, day=DAY)
    assert [(p.name, p.start_time, p.end_time) for p in periods] == [
        ("lunch", dt.time(9, 30), dt.time(16, 0)),
        ("dinner", dt.time(16, 0), dt.time(22, 30)),
    ]
    schedule, report = services.schedule_generate(store=store, day=DAY + dt.timedelta(days=1))
    assert report["closed"] is True and report["coverage"] == 1.0 and schedule.shifts.count() == 0


def test_store_config_overrides_ratios(busy_store):
    busy_store.config = {"staffing": {"waiter": {"per_head": 30, "minimum": 2}, "host": "nonsense"}}
    busy_store.save()
    lunch, dinner = demand.schedule_demand(store=busy_store, day=DAY)
    assert lunch.needs["waiter"] == 2
    assert dinner.needs["waiter"] == 3  # 90 guests / 30
    assert dinner.needs["host"] == 1  # invalid override ignored


def test_generation_covers_peaks_without_overlaps(busy_store):
    staff = make_staff(busy_store, FULL_TEAM)
    schedule, report = services.schedule_generate(store=busy_store, day=DAY)

    assert report["coverage"] == 1.0 and report["gaps"] == []
    periods = _by_period(schedule)
    lunch, dinner = periods[dt.time(10, 30)], periods[dt.time(16, 30)]
    assert len(dinner) > len(lunch)  # more hands at the dinner peak than at the quiet lunch
    assert len(lunch) == 3 and len(dinner) == 13
    assert all(s.position == s.employee.position for s in schedule.shifts.select_related("employee"))
    assert report["demanded_hours"] == report["filled_hours"] == 3 * 4 + 13 * 6
    # Spread first: nobody works both periods while others are idle.
    assert len({s.employee_id for s in schedule.shifts.all()}) == 16
    _assert_no_overlaps([e.pk for e in staff])
    stored = Schedule.objects.get(pk=schedule.pk)
    assert stored.generation_report["coverage"] == 1.0
    assert stored.generation_report["periods"][1]["filled"]["waiter"] == 6


def test_gaps_are_reported_honestly_when_short(busy_store):
    make_staff(busy_store, {"waiter": 8, "chef": 1, "cashier": 2})
    schedule, report = services.schedule_generate(store=busy_store, day=DAY)
    gaps = {(g["period"], g["position"]): g for g in report["gaps"]}
    # The only chef covers lunch and dinner (a split day within the daily limit); two dinner chefs are missing.
    assert gaps["dinner", "chef"] == {
        "period": "dinner",
        "position": "chef",
        "needed": 3,
        "filled": 1,
        "start": "16:30",
        "end": "22:30",
        "reason": "staff_unavailable",
        "short_hours": 12.0,
    }
    assert gaps["dinner", "host"]["filled"] == 0 and gaps["dinner", "host"]["reason"] == "no_staff_in_position"
    assert ("lunch", "chef") not in gaps
    demanded = 3 * 4 + 13 * 6
    filled = 3 * 4 + (6 + 1 + 1) * 6
    assert report["demanded_hours"] == demanded and report["filled_hours"] == filled
    assert report["coverage"] == round(filled / demanded, 4)
    assert schedule.shifts.filter(position="chef").count() == 2


def test_only_active_staff_of_the_store(busy_store, other_store):
    make_staff(busy_store, {"waiter": 2, "chef": 1, "cashier": 1})
    inactive = EmployeeFactory(store=busy_store, position="waiter", is_active=False, skills=[])
    foreign = EmployeeFactory(store=other_store, position="waiter", skills=[])
    schedule, _report = services.schedule_generate(store=busy_store, day=DAY)
    scheduled = set(schedule.shifts.values_list("employee_id", flat=True))
    assert scheduled and inactive.pk not in scheduled and foreign.pk not in scheduled
    assert set(schedule.shifts.values_list("employee__store_id", flat=True)) == {busy_store.pk}


def test_days_off_and_preferences(busy_store):
    off = EmployeeFactory(store=busy_store, position="chef", skills=[], preferences={"days_off": ["wed"]})
    evening = EmployeeFactory(
        store=busy_store, position="waiter", skills=[], preferences={"preferred_shifts": ["evening"]}
    )
    morning = EmployeeFactory(
        store=busy_store, position="waiter", skills=[], preferences={"preferred_shifts": ["morning"]}
    )
    schedule, report = services.schedule_generate(store=busy_store, day=DAY)
    assert not schedule.shifts.filter(employee=off).exists()
    assert report["staff_on_day_off"] == 1
    # The one lunch waiter is the one who prefers mornings (dinner needs both of them anyway).
    assert schedule.shifts.get(shift_type=Shift.Type.MORNING, position="waiter").employee == morning
    assert schedule.shifts.filter(employee=evening, shift_type=Shift.Type.EVENING).exists()


def test_skills_are_a_fallback_for_a_position(busy_store):
    cashier = EmployeeFactory(store=busy_store, position="cashier", skills=[], preferences={"days_off": ["wed"]})
    make_staff(busy_store, {"waiter": 2})
    backup = EmployeeFactory(store=busy_store, position="waiter", skills=["cashier"])
    schedule, report = services.schedule_generate(store=busy_store, day=DAY)
    lunch_till = schedule.shifts.get(position="cashier", shift_type=Shift.Type.MORNING)
    assert lunch_till.employee == backup  # the cross-trained waiter covers the till
    assert not schedule.shifts.filter(employee=cashier).exists()
    assert not any(g["position"] == "cashier" and g["period"] == "lunch" for g in report["gaps"])


def test_own_position_comes_before_cross_trained(busy_store):
    cashier = EmployeeFactory(store=busy_store, position="cashier", skills=[])
    EmployeeFactory(store=busy_store, position="waiter", skills=["cashier"])
    schedule, _ = services.schedule_generate(store=busy_store, day=DAY)
    assert set(schedule.shifts.filter(position="cashier").values_list("employee_id", flat=True)) == {cashier.pk}


def test_weekly_cap_counts_other_days_of_the_iso_week(busy_store):
    chef = EmployeeFactory(store=busy_store, position="chef", skills=[], preferences={"max_hours_per_week": 40})
    monday = DAY - dt.timedelta(days=2)
    # 36 h already this week (Mon + Tue, in other schedules): 4 h fit, the 6 h dinner does not.
    for offset, (start, end) in enumerate([(dt.time(6), dt.time(0)), (dt.time(6), dt.time(0))]):
        sched = ScheduleFactory(store=busy_store, schedule_date=monday + dt.timedelta(days=offset))
        ShiftFactory(schedule=sched, employee=chef, start_time=start, end_time=end)
    # Last week's hours do not count.
    ShiftFactory(schedule=ScheduleFactory(store=busy_store, schedule_date=monday - dt.timedelta(days=1)), employee=chef)
    schedule, report = services.schedule_generate(store=busy_store, day=DAY)
    chef_shifts = list(schedule.shifts.filter(employee=chef))
    assert [s.start_time for s in chef_shifts] == [dt.time(10, 30)]
    [chef_gap] = [g for g in report["gaps"] if g["position"] == "chef"]
    assert (chef_gap["period"], chef_gap["needed"], chef_gap["filled"]) == ("dinner", 3, 0)
    assert chef_gap["reason"] == "staff_unavailable"


def test_overnight_shift_of_previous_day_blocks_the_morning(busy_store):
    waiter = EmployeeFactory(store=busy_store, position="waiter", skills=[])
    tuesday = ScheduleFactory(store=busy_store, schedule_date=DAY - dt.timedelta(days=1))
    # 22:00 Tuesday until 6:00 Wednesday: 4.5 h before Wednesday's lunch (10:30-14:30), less than
    # the 10 h rest; the dinner (16:30) is 10.5 h after it.
    night = ShiftFactory(
        schedule=tuesday, employee=waiter, shift_type="night", start_time=dt.time(22), end_time=dt.time(6)
    )
    assert night.ends_at - night.starts_at == dt.timedelta(hours=8)
    schedule, report = services.schedule_generate(store=busy_store, day=DAY)
    mine = list(schedule.shifts.filter(employee=waiter))
    assert [s.start_time for s in mine] == [dt.time(16, 30)]
    assert any(g["period"] == "lunch" and g["position"] == "waiter" for g in report["gaps"])


def test_fair_distribution_prefers_fewest_hours_then_performance(store):
    store.business_hours = {"wed": [["11:00", "14:00"]]}
    store.save()
    busy = EmployeeFactory(store=store, position="waiter", skills=[], performance_score=99)
    fresh_low = EmployeeFactory(store=store, position="waiter", skills=[], performance_score=50)
    fresh_high = EmployeeFactory(store=store, position="waiter", skills=[], performance_score=90)
    ShiftFactory(schedule=ScheduleFactory(store=store, schedule_date=DAY - dt.timedelta(days=1)), employee=busy)
    schedule, _ = services.schedule_generate(store=store, day=DAY)
    assert list(schedule.shifts.filter(position="waiter").values_list("employee_id", flat=True)) == [fresh_high.pk]
    assert fresh_low.pk != fresh_high.pk


def test_regeneration_replaces_shifts(busy_store):
    make_staff(busy_store, {"waiter": 3, "chef": 2, "cashier": 2})
    first, _ = services.schedule_generate(store=busy_store, day=DAY)
    first_ids = set(first.shifts.values_list("pk", flat=True))
    second, report = services.schedule_generate(store=busy_store, day=DAY)
    assert second.pk == first.pk and Schedule.objects.filter(store=busy_store).count() == 1
    assert not (set(second.shifts.values_list("pk", flat=True)) & first_ids)
    assert second.shifts.count() == report["shifts"]


def test_published_day_is_locked(busy_store, manager):
    make_staff(busy_store, {"waiter": 1, "chef": 1, "cashier": 1})
    schedule, _ = services.schedule_generate(store=busy_store, day=DAY)
    services.schedule_publish(schedule=schedule, user=manager)
    before = set(schedule.shifts.values_list("pk", flat=True))
    with pytest.raises(Locked) as info:
        services.schedule_generate(store=busy_store, day=DAY)
    assert info.value.status_code == 409
    assert set(schedule.shifts.values_list("pk", flat=True)) == before


def test_generate_range_skips_published(busy_store, manager):
    make_staff(busy_store, {"waiter": 2, "chef": 2, "cashier": 2})
    schedule, _ = services.schedule_generate(store=busy_store, day=DAY)
    services.schedule_publish(schedule=schedule, user=manager)
    results = services.schedule_generate_range(
        store=busy_store, start=DAY - dt.timedelta(days=1), end=DAY + dt.timedelta(days=1)
    )
    assert [s.schedule_date for s, _ in results] == [DAY - dt.timedelta(days=1), DAY, DAY + dt.timedelta(days=1)]
    assert results[1][1] == {"store": busy_store.pk, "date": DAY.isoformat(), "skipped": "published"}
    assert all("coverage" in r for i, (_, r) in enumerate(results) if i != 1)
    # Three days in a row never double-book anyone.
    _assert_no_overlaps(busy_store.employees.values_list("pk", flat=True))


def test_weekly_caps_hold_over_a_generated_week(busy_store):
    staff = make_staff(busy_store, FULL_TEAM, preferences={"max_hours_per_week": 20})
    monday = DAY - dt.timedelta(days=2)
    services.schedule_generate_range(store=busy_store, start=monday, end=monday + dt.timedelta(days=6))
    for employee in staff:
        hours = sum(s.hours for s in Shift.objects.filter(employee=employee))
        assert hours <= 20
    _assert_no_overlaps([e.pk for e in staff])


def test_range_staffs_the_busiest_day_first(store):
    store.business_hours = {day: [["11:00", "14:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    store.save()
    saturday = DAY + dt.timedelta(days=3)
    make_history(store, day=saturday, per_hour={12: 30})
    waiter = EmployeeFactory(store=store, position="waiter", skills=[], preferences={"max_hours_per_week": 4})
    monday = DAY - dt.timedelta(days=2)
    results = services.schedule_generate_range(store=store, start=monday, end=monday + dt.timedelta(days=6))
    assert [s.schedule_date for s, _ in results] == [monday + dt.timedelta(days=i) for i in range(7)]
    # The only waiter's 4 h go to Saturday's rush, not to a quiet Monday.
    assert list(Shift.objects.filter(employee=waiter).values_list("schedule__schedule_date", flat=True)) == [saturday]


def test_short_staff_is_spread_over_both_services(store):
    # 6 h lunch and 6 h dinner shifts: nobody may do both (daily limit 11 h).
    store.business_hours = {"wed": [["10:00", "15:00"], ["17:00", "22:00"]]}
    store.save()
    make_history(store, per_hour={12: 20, 19: 30})  # 60 and 90 guests/h: 4 and 6 waiters
    make_staff(store, {"waiter": 2})
    schedule, report = services.schedule_generate(store=store, day=DAY)
    full = schedule.shifts.exclude(notes__endswith="(peak)")
    assert sorted(full.values_list("shift_type", flat=True)) == ["evening", "morning"]
    # Then each takes a 5 h peak shift in the other service (6 + 5 = 11 h), centred on its peak hour.
    peaks = schedule.shifts.filter(notes__endswith="(peak)").order_by("start_time")
    assert [(s.start_time, s.end_time) for s in peaks] == [
        (dt.time(10, 0), dt.time(15, 0)),  # lunch 9:30-15:30, its 12:00-13:00 peak in the middle
        (dt.time(17, 0), dt.time(22, 0)),  # dinner 16:30-22:30, its 19:00-20:00 peak in the middle
    ]
    assert len({s.employee_id for s in peaks}) == 2 and report["peak_shifts"] == 2
    waiter_gaps = {g["period"]: (g["filled"], g["needed"]) for g in report["gaps"] if g["position"] == "waiter"}
    assert waiter_gaps == {"lunch": (2, 4), "dinner": (2, 6)}
