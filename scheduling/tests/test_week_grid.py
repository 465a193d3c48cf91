"""The week grid in the admin (scheduling/admin_week.py) and "my shifts" (scheduling/pages.py): store
scoping, the footer's totals against hand-computed hours and cost, week navigation, generate and
publish through the services, shift edits through the services with their refusals on the form,
a query count independent of the number of employees and shifts."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from scheduling import selectors
from scheduling.models import Schedule, Shift
from scheduling.tests.conftest import DAY, FULL_TEAM, make_staff
from scheduling.tests.factories import ScheduleFactory, ShiftFactory
from stores.tests.factories import EmployeeFactory
from zhilian.audit import audit_entries
from zhilian.testing.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

WEEK = "/admin/scheduling/schedule/week/"
CELL = "/admin/scheduling/schedule/week/shift/"
MONDAY = dt.date(2026, 11, 30)  # the Monday of DAY's week (DAY is Wednesday 2026-12-02)
TUESDAY = MONDAY + dt.timedelta(days=1)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def week(store):
    """Three employees, four shifts (one overnight), wages chosen so the cents round."""
    wang = EmployeeFactory(store=store, id="E1", name="Wang Fang", position="waiter", hourly_wage_cents=25_00)
    li = EmployeeFactory(
        store=store,
        id="E2",
        name="Li Wei",
        position="waiter",
        hourly_wage_cents=30_00,
        preferences={"days_off": ["sun"], "max_hours_per_week": 40},
    )
    zhao = EmployeeFactory(store=store, id="E3", name="Zhao Lei", position="chef", hourly_wage_cents=33_33)
    monday = ScheduleFactory(store=store, schedule_date=MONDAY)
    tuesday = ScheduleFactory(store=store, schedule_date=TUESDAY)
    shifts = [
        ShiftFactory(schedule=monday, employee=wang, start_time=dt.time(9), end_time=dt.time(15)),
        ShiftFactory(schedule=monday, employee=li, start_time=dt.time(17), end_time=dt.time(22), shift_type="evening"),
        # Overnight: 22:00 to 02:00 next day, 4 h, counted on Tuesday (its schedule's day).
        ShiftFactory(schedule=tuesday, employee=zhao, start_time=dt.time(22), end_time=dt.time(2), shift_type="night"),
        ShiftFactory(schedule=tuesday, employee=wang, start_time=dt.time(10, 30), end_time=dt.time(14, 15)),
    ]
    return {"wang": wang, "li": li, "zhao": zhao, "monday": monday, "tuesday": tuesday, "shifts": shifts}


def footer(response) -> dict[str, dict]:
    return {row["key"]: row for row in response.context["footer"]}


# --- the page ------------------------------------------------------------------------------------


def test_manager_sees_the_week_by_position_with_shifts_and_days_off(actors, week):
    response = client_for(actors.manager).get(WEEK, {"week": DAY.isoformat()})
    assert response.status_code == 200
    assert response.context["days"][0] == MONDAY and response.context["days"][-1] == MONDAY + dt.timedelta(days=6)
    groups = response.context["groups"]
    assert [g["position"] for g in groups] == ["waiter", "chef"]
    assert [e["name"] for e in groups[0]["employees"]] == ["Li Wei", "Wang Fang"]
    li = groups[0]["employees"][0]
    assert [c["day_off"] for c in li["cells"]] == [False] * 6 + [True]
    wang = groups[0]["employees"][1]
    assert [len(c["shifts"]) for c in wang["cells"]] == [1, 1, 0, 0, 0, 0, 0]
    assert wang["week_hours"] == pytest.approx(6 + 3.75)
    body = text(response)
    for needle in ("Wang Fang", "Li Wei", "Zhao Lei", "09:00–15:00", "17:00–22:00", "22:00–02:00", "10:30–14:15"):
        assert needle in body
    assert "day off" in body
    # Each shift of an unpublished day links to its cell page; each cell has an add link.
    shift = week["shifts"][0]
    assert f"{CELL}?store={actors.store.pk}&amp;day=2026-11-30&amp;shift={shift.pk}" in body
    assert f"{CELL}?store={actors.store.pk}&amp;day=2026-12-06&amp;employee=E2" in body


def test_footer_totals_are_the_hand_computed_hours_and_cost(actors, week):
    response = client_for(actors.manager).get(WEEK, {"store": actors.store.pk, "week": "2026-12-03"})
    rows = footer(response)
    # Monday: 6 h x ¥25 + 5 h x ¥30 = ¥300.00; Tuesday: 4 h x ¥33.33 + 3.75 h x ¥25 = ¥133.32 + ¥93.75.
    assert rows["hours"]["values"] == ["11.0", "7.8", "0.0", "0.0", "0.0", "0.0", "0.0"]
    assert rows["hours"]["total"] == "18.8"
    assert rows["labor_cost"]["values"][:3] == ["¥300.00", "¥227.07", "¥0.00"]
    assert rows["labor_cost"]["total"] == "¥527.07"
    # Hand-made schedules have no generation report: no gaps or coverage to show.
    assert rows["coverage"]["values"] == ["–"] * 7
    raw = selectors.week_daily_labor(store_id=actors.store.pk, days=selectors.week_days(DAY))
    assert raw[MONDAY] == {"seconds": 11 * 3600, "labor_cost_cents": 300_00}
    assert raw[TUESDAY] == {"seconds": int(7.75 * 3600), "labor_cost_cents": 227_07}
    body = text(response)
    assert "¥527.07" in body and "¥227.07" in body


def test_footer_and_open_row_show_the_generation_gaps(actors, week):
    week["monday"].generation_report = {
        "demanded_hours": 40.0,
        "filled_hours": 30.0,
        "coverage": 0.75,
        "gaps": [
            {"period": "dinner", "position": "chef", "needed": 3, "filled": 1, "start": "17:00", "end": "22:00"},
            {"period": "lunch", "position": "waiter", "needed": 2, "filled": 1, "start": "11:00", "end": "14:00"},
        ],
    }
    week["monday"].save()
    # A full day of 10 demanded hours: the week's coverage weighs the days by their demand.
    week["tuesday"].generation_report = {"demanded_hours": 10.0, "filled_hours": 10.0, "coverage": 1.0, "gaps": []}
    week["tuesday"].save()
    response = client_for(actors.manager).get(WEEK, {"week": MONDAY.isoformat()})
    rows = footer(response)
    assert rows["open_heads"]["values"][:3] == ["3", "0", "–"]
    assert rows["open_hours"]["values"][:3] == ["10.0", "0.0", "–"]
    assert rows["coverage"]["values"][:3] == ["75%", "100%", "–"]
    assert rows["coverage"]["total"] == "80%"  # 40 of 50 position-hours, not the mean of 75% and 100%
    body = text(response)
    assert 'id="wk-open-row"' in body
    assert "17:00–22:00 <b>Chef</b> ×2" in body and "11:00–14:00 <b>Waiter</b> ×1" in body


def test_week_navigation(actors, week):
    web = client_for(actors.manager)
    response = web.get(WEEK, {"week": "2026-12-06"})  # a Sunday: its week starts on Monday 11-30
    context = response.context
    assert context["days"][0] == MONDAY
    assert context["prev_url"] == f"{WEEK}?store={actors.store.pk}&week=2026-11-23"
    assert context["next_url"] == f"{WEEK}?store={actors.store.pk}&week=2026-12-07"
    following = web.get(context["next_url"])
    assert following.context["days"][0] == dt.date(2026, 12, 7)
    assert not any(c["shifts"] for g in following.context["groups"] for e in g["employees"] for c in e["cells"])
    # No week (or a malformed one): the current week.
    for params in ({}, {"week": "soon"}, {"week": "1899-01-01"}):
        today = timezone.localdate()
        assert web.get(WEEK, params).context["days"][0] == today - dt.timedelta(days=today.weekday())


def test_store_scoping(actors, week):
    # A manager's own store by default; another store's grid is a 404, like an unknown one.
    manager = client_for(actors.manager)
    assert manager.get(WEEK).context["store"].pk == actors.store.pk
    assert manager.get(WEEK, {"store": actors.other_store.pk}).status_code == 404
    assert manager.get(WEEK, {"store": "NOPE"}).status_code == 404
    other = client_for(actors.other_manager)
    response = other.get(WEEK, {"week": DAY.isoformat()})
    assert response.context["store"].pk == actors.other_store.pk
    assert "Wang Fang" not in text(response)
    assert other.get(WEEK, {"store": actors.store.pk}).status_code == 404
    assert other.post(WEEK, {"store": actors.store.pk, "action": "publish"}).status_code == 404
    # Another store's shift or cell: 404 as well.
    shift = week["shifts"][0]
    assert other.get(CELL, {"shift": shift.pk}).status_code == 404
    assert other.get(CELL, {"shift": "not-a-uuid"}).status_code == 404
    assert other.get(CELL, {"store": actors.store.pk, "day": "2026-11-30", "employee": "E1"}).status_code == 404
    response = other.post(CELL + f"?shift={shift.pk}", {"employee": "E1", "start_time": "08:00", "end_time": "12:00"})
    assert response.status_code == 404
    shift.refresh_from_db()
    assert shift.start_time == dt.time(9)
    # Admins choose any store (the chooser lists them all).
    admin = client_for(actors.admin)
    response = admin.get(WEEK, {"store": actors.store.pk, "week": DAY.isoformat()})
    assert response.status_code == 200 and "Wang Fang" in text(response)
    assert {s.pk for s in response.context["stores"]} == {actors.store.pk, actors.other_store.pk}
    assert manager.get(WEEK).context["stores"] == []
    # Staff do not enter the admin.
    response = client_for(actors.staff).get(WEEK)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_query_count_does_not_grow_with_employees_and_shifts(actors):
    schedules = [ScheduleFactory(store=actors.store, schedule_date=MONDAY + dt.timedelta(days=i)) for i in range(7)]

    def make_rows(n):
        for _ in range(n):
            employee = EmployeeFactory(store=actors.store, position="chef" if n % 2 else "waiter")
            for i, schedule in enumerate(schedules[:3]):
                ShiftFactory(schedule=schedule, employee=employee, start_time=dt.time(9 + i), end_time=dt.time(13 + i))

    web = client_for(actors.manager)
    few, many = assert_constant_queries(make_rows, lambda: web.get(WEEK, {"week": DAY.isoformat()}), small=2, large=12)
    assert few.context["employee_count"] == 2 and many.context["employee_count"] == 12


def test_links_to_the_grid(actors, week):
    web = client_for(actors.manager)
    assert f'href="{WEEK}"' in web.get("/admin/scheduling/schedule/").content.decode()
    body = web.get(f"/admin/scheduling/schedule/{week['monday'].pk}/change/").content.decode()
    assert f"{WEEK}?store={actors.store.pk}&amp;week=2026-11-30" in body
    index = web.get("/admin/").content.decode()
    assert 'id="shortcut-admin:scheduling_schedule_week"' in index and 'href="/my-shifts/"' in index


# --- generate and publish --------------------------------------------------------------------------


def test_generate_fills_the_unpublished_days_of_the_week(actors, busy_store):
    make_staff(busy_store, FULL_TEAM)
    published = ScheduleFactory(store=busy_store, schedule_date=MONDAY)
    published.is_published, published.published_at = True, timezone.now()
    published.save()
    web = client_for(actors.manager)
    response = web.post(WEEK + f"?week={DAY}", {"store": busy_store.pk, "action": "generate"})
    assert response.status_code == 302
    assert response["Location"] == f"{WEEK}?store={busy_store.pk}&week=2026-11-30"
    schedules = Schedule.objects.filter(store=busy_store, schedule_date__range=(MONDAY, MONDAY + dt.timedelta(days=6)))
    assert schedules.count() == 7
    assert not Shift.objects.filter(schedule=published).exists()
    generated = schedules.exclude(pk=published.pk)
    assert all(s.generation_report.get("demanded_hours") for s in generated)
    assert Shift.objects.filter(schedule__in=generated).count() > 0
    message = messages_of(response)[0]
    assert message.startswith("Generated 6 day(s): coverage ") and "1 published day(s) kept as they are." in message
    page = web.get(response["Location"])
    assert footer(page)["coverage"]["values"][0] == "–"
    assert footer(page)["coverage"]["values"][2] != "–"


def test_publish_publishes_the_weeks_drafts_and_says_so(actors, week):
    web = client_for(actors.manager)
    response = web.post(WEEK + f"?week={DAY}", {"action": "publish"})
    assert response.status_code == 302
    week["monday"].refresh_from_db()
    week["tuesday"].refresh_from_db()
    assert week["monday"].is_published and week["tuesday"].is_published
    assert week["monday"].published_by == actors.manager
    assert messages_of(response) == ["Published 2 day(s); the staff are notified."]
    assert "schedule.publish" in [e.additional_data["event"] for e in audit_entries(week["monday"])]
    # Published days are frozen on the grid: no edit or add links, a badge instead.
    page = web.get(response["Location"])
    body = text(page)
    assert CELL not in body.split('id="wk-grid"')[1].split("2026-12-02")[0]
    assert page.context["published_days"] == 2
    # Nothing left to publish: said, not a 500.
    again = web.post(WEEK + f"?week={DAY}", {"action": "publish"})
    assert messages_of(again) == ["Nothing to publish."]


def test_publish_one_day_from_its_header(actors, week):
    web = client_for(actors.manager)
    response = web.post(WEEK + f"?week={DAY}", {"action": "publish", "day": TUESDAY.isoformat()})
    assert messages_of(response) == ["Published 1 day(s); the staff are notified."]
    week["monday"].refresh_from_db()
    week["tuesday"].refresh_from_db()
    assert week["tuesday"].is_published and not week["monday"].is_published
    # A day outside the week shown publishes nothing.
    response = web.post(WEEK + f"?week={DAY}", {"action": "publish", "day": "2026-12-25"})
    assert messages_of(response)[-1] == "That day is not in this week."
    week["monday"].refresh_from_db()
    assert not week["monday"].is_published


def test_generate_and_publish_need_the_role(actors, week, monkeypatch):
    from zhilian import roles

    monkeypatch.setitem(roles.PERMISSIONS["scheduling.schedule"], roles.MANAGER, frozenset({"view"}))
    web = client_for(actors.manager)
    page = web.get(WEEK, {"week": DAY.isoformat()})
    assert 'id="wk-publish"' not in page.content.decode() and 'id="wk-generate"' not in page.content.decode()
    assert web.post(WEEK + f"?week={DAY}", {"action": "publish"}).status_code == 403
    week["monday"].refresh_from_db()
    assert not week["monday"].is_published


# --- the cell: shifts through the services ------------------------------------------------------------


def cell_post(web, params, **data):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return web.post(f"{CELL}?{query}", data)


def test_add_a_shift_through_the_cell(actors, week):
    web = client_for(actors.manager)
    day = "2026-12-03"
    page = web.get(CELL, {"store": actors.store.pk, "day": day, "employee": "E2"})
    assert page.status_code == 200
    assert page.context["form"].initial == {"employee": "E2", "start_time": "10:00", "end_time": "22:00"}
    response = cell_post(
        web,
        {"store": actors.store.pk, "day": day, "employee": "E2"},
        employee="E2",
        start_time="11:00",
        end_time="15:00",
        shift_type="",
        position="",
        notes="cover",
    )
    assert response.status_code == 302 and response["Location"] == f"{WEEK}?store={actors.store.pk}&week=2026-11-30"
    shift = Shift.objects.get(employee=week["li"], schedule__schedule_date=dt.date(2026, 12, 3))
    assert (shift.start_time, shift.end_time, shift.shift_type, shift.position, shift.notes) == (
        dt.time(11),
        dt.time(15),
        "afternoon",
        "waiter",
        "cover",
    )
    # The service wrote the audit entries: the new day's schedule and the shift, by the manager.
    assert [e.actor for e in audit_entries(shift)] == [actors.manager]
    assert audit_entries(shift.schedule).count() == 1
    assert messages_of(response) == ["The shift is saved."]


def test_the_grids_dialog_gets_a_204_naming_the_grid(actors, week):
    # week.js posts the cell's form with X-Week-Dialog: a saved shift answers 204 and the grid's URL.
    web = client_for(actors.manager)
    response = web.post(
        f"{CELL}?store={actors.store.pk}&day=2026-12-03&employee=E2",
        {"employee": "E2", "start_time": "11:00", "end_time": "15:00"},
        headers={"X-Week-Dialog": "1"},
    )
    assert response.status_code == 204
    assert response["X-Week-Location"] == f"{WEEK}?store={actors.store.pk}&week=2026-11-30"
    assert Shift.objects.filter(employee=week["li"], schedule__schedule_date=dt.date(2026, 12, 3)).exists()
    # The grid shows the message when the script loads it.
    assert messages_of(web.get(response["X-Week-Location"])) == ["The shift is saved."]
    # A refusal is the form again, as without the dialog.
    response = web.post(
        f"{CELL}?store={actors.store.pk}&day=2026-12-03&employee=E2",
        {"employee": "E2", "start_time": "12:00", "end_time": "13:00"},
        headers={"X-Week-Dialog": "1"},
    )
    assert response.status_code == 200 and 'id="wk-refusal"' in response.content.decode()


def test_an_overlapping_shift_is_refused_on_the_form(actors, week):
    web = client_for(actors.manager)
    before = Shift.objects.count()
    response = cell_post(
        web,
        {"store": actors.store.pk, "day": "2026-11-30", "employee": "E1"},
        employee="E1",
        start_time="14:00",
        end_time="18:00",
    )
    assert response.status_code == 200
    body = text(response)
    refusal = body.split('id="wk-refusal"')[1].split("</div>")[0]
    assert "Wang Fang already works 2026-11-30 09:00-15:00, which overlaps this shift." in refusal
    assert Shift.objects.count() == before


def test_refusals_are_translated(actors, week):
    web = client_for(actors.manager)
    web.cookies["django_language"] = "zh-hans"
    response = cell_post(
        web,
        {"store": actors.store.pk, "day": "2026-11-30", "employee": "E1"},
        employee="E1",
        start_time="14:00",
        end_time="18:00",
    )
    assert "Wang Fang 已在 2026-11-30 09:00-15:00 上班，与此班次重叠。" in text(response)


def test_the_weekly_cap_and_a_day_with_no_schedule_left_clean(actors, week):
    week["li"].preferences = {"max_hours_per_week": 8}
    week["li"].save()
    web = client_for(actors.manager)
    response = cell_post(
        web,
        {"store": actors.store.pk, "day": "2026-12-04", "employee": "E2"},
        employee="E2",
        start_time="10:00",
        end_time="14:00",
    )
    assert response.status_code == 200
    assert "Li Wei would work 9 h in the week of 2026-11-30, over the cap of 8 h." in text(response)
    # The refused shift's day had no schedule: the one made for it was rolled back too.
    assert not Schedule.objects.filter(store=actors.store, schedule_date=dt.date(2026, 12, 4)).exists()


def test_field_errors_and_inactive_employees(actors, week):
    web = client_for(actors.manager)
    params = {"store": actors.store.pk, "day": "2026-12-04", "employee": "E1"}
    response = cell_post(web, params, employee="E1", start_time="10:00", end_time="10:00")
    assert response.status_code == 200
    assert response.context["form"].errors == {"end_time": ["A shift cannot end when it starts."]}
    other_store_employee = EmployeeFactory(store=actors.other_store, id="X1")
    response = cell_post(web, params, employee=other_store_employee.pk, start_time="10:00", end_time="12:00")
    assert "employee" in response.context["form"].errors  # not a choice: another store's staff
    assert web.get(CELL, {"store": actors.store.pk, "day": "someday"}).status_code == 404


def test_edit_and_delete_a_shift_through_the_cell(actors, week):
    web = client_for(actors.manager)
    shift = week["shifts"][3]  # Wang, Tuesday 10:30-14:15
    page = web.get(CELL, {"shift": shift.pk})
    assert page.status_code == 200 and page.context["form"].initial["start_time"] == dt.time(10, 30)
    response = cell_post(
        web, {"shift": shift.pk}, employee="E1", start_time="11:00", end_time="16:00", shift_type="afternoon"
    )
    assert response.status_code == 302
    shift.refresh_from_db()
    assert (shift.start_time, shift.end_time, shift.shift_type) == (dt.time(11), dt.time(16), "afternoon")
    assert [e.additional_data["event"] for e in audit_entries(shift).order_by("pk")] == ["shift.update"]
    # Moving it onto Monday's shift of the same person is refused, unchanged.
    monday = week["shifts"][0]
    response = cell_post(web, {"shift": monday.pk}, employee="E1", start_time="20:00", end_time="23:00")
    assert response.status_code == 302  # no clash: Monday evening is free
    response = cell_post(web, {"shift": shift.pk}, employee="E3", start_time="23:00", end_time="23:30")
    assert response.status_code == 200 and "Zhao Lei already works" in text(response)
    response = cell_post(web, {"shift": shift.pk}, delete="1")
    assert response.status_code == 302 and not Shift.objects.filter(pk=shift.pk).exists()
    assert messages_of(response) == ["The shift is deleted."]


def test_a_published_day_is_frozen(actors, week):
    web = client_for(actors.manager)
    web.post(WEEK + f"?week={DAY}", {"action": "publish"})
    shift = week["shifts"][0]
    response = cell_post(web, {"shift": shift.pk}, employee="E1", start_time="08:00", end_time="12:00")
    assert response.status_code == 302
    assert messages_of(response)[-1] == "The schedule is published; its shifts are frozen."
    shift.refresh_from_db()
    assert shift.start_time == dt.time(9)


# --- my shifts -----------------------------------------------------------------------------------------


def test_my_shifts_lists_the_staff_members_published_upcoming_shifts(actors):
    me = EmployeeFactory(store=actors.store, user=actors.staff, name="Chen Jing")
    today = timezone.localdate()
    published = ScheduleFactory(store=actors.store, schedule_date=today + dt.timedelta(days=1))
    published.is_published, published.published_at = True, timezone.now()
    published.save()
    draft = ScheduleFactory(store=actors.store, schedule_date=today + dt.timedelta(days=2))
    past = ScheduleFactory(store=actors.store, schedule_date=today - dt.timedelta(days=3))
    mine = ShiftFactory(schedule=published, employee=me, start_time=dt.time(17), end_time=dt.time(22))
    ShiftFactory(schedule=draft, employee=me, start_time=dt.time(9), end_time=dt.time(13))
    ShiftFactory(schedule=past, employee=me, start_time=dt.time(9), end_time=dt.time(13))
    ShiftFactory(schedule=published, start_time=dt.time(9), end_time=dt.time(13))  # a colleague's
    web = client_for(actors.staff)
    response = web.get("/my-shifts/")
    assert response.status_code == 200
    days = response.context["days"]
    assert [[s.pk for s in d["shifts"]] for d in days] == [[mine.pk]]
    assert "17:00–22:00" in text(response) and "5.0 h in the next 28 days." in text(response)
    # Confirming goes through the service.
    response = web.post(f"/my-shifts/{mine.pk}/confirm/")
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.is_confirmed
    again = web.post(f"/my-shifts/{mine.pk}/confirm/")
    assert messages_of(again) == ["Shift confirmed.", "The shift is already confirmed."]
    # Someone else's shift: 404.
    other = client_for(actors.other_staff)
    assert other.post(f"/my-shifts/{mine.pk}/confirm/").status_code == 404


def test_my_shifts_without_an_employee_and_when_signed_out(actors):
    response = client_for(actors.manager).get("/my-shifts/")
    assert response.status_code == 200 and 'id="ms-no-employee"' in response.content.decode()
    response = Client().get("/my-shifts/")
    assert response.status_code == 302 and response["Location"].startswith("/dashboard/login/")


def test_footer_shows_forecast_sales_and_labor_percent_against_the_target(actors, week):
    """The labor budget under the grid: each day's forecast sales (scheduling.forecast) and the
    scheduled cost's share of them, the week's against the store's target."""
    from decimal import Decimal

    from orders.tests.factories import OrderFactory
    from scheduling.forecast import forecast_days
    from zhilian.dates import local_midnight

    store = actors.store
    store.target_labor_percent = Decimal("25.00")
    store.save(update_fields=["target_labor_percent"])
    # Sales on the Mondays before: ¥1,000 each at lunch.
    for weeks_back in range(1, 5):
        day = MONDAY - dt.timedelta(weeks=weeks_back)
        if day < timezone.localdate():
            OrderFactory(store=store, status="completed", order_time=local_midnight(day) + dt.timedelta(hours=12),
                         items=[("A", "Banquet", 1, 1000_00)])  # fmt: skip
    forecast = forecast_days(store_id=store.pk, days=selectors.week_days(DAY))
    monday_sales = forecast[MONDAY].revenue_cents
    assert monday_sales > 0
    rows = footer(client_for(actors.manager).get(WEEK, {"store": store.pk, "week": "2026-12-03"}))
    assert rows["forecast_sales"]["values"][0] == f"¥{monday_sales // 100:,}.{monday_sales % 100:02d}"
    assert rows["labor_percent"]["values"][0] == f"{300_00 / monday_sales:.0%}"
    assert rows["labor_percent"]["target"] == "25%"
    # A day without sales history has no forecast, so no labor % to show.
    assert forecast[MONDAY + dt.timedelta(days=2)].revenue_cents == 0
    assert rows["labor_percent"]["values"][2] == "–"
