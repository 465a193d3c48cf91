"""The base admin (zhilian.admin.ScopedModelAdmin): writes through the admin's named services,
refusals as form errors with nothing saved, bulk actions reporting refusals, and the audit
trail as the History page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from orders import services as order_services
from orders.tests.factories import OrderFactory
from scheduling.models import Schedule
from scheduling.tests.factories import ScheduleFactory

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_refused_create_is_a_form_error_and_saves_nothing(actors):
    # schedule_create refuses a day outside the calendar's bounds (InvalidInput on schedule_date);
    # the form alone accepts any date.
    response = logged_in(actors.manager).post(
        "/admin/scheduling/schedule/add/",
        {
            "store": actors.store.pk,
            "schedule_date": "1900-01-01",
            "notes": "",
            "shifts-TOTAL_FORMS": "0",
            "shifts-INITIAL_FORMS": "0",
            "shifts-MIN_NUM_FORMS": "0",
            "shifts-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200  # the form again, not a redirect
    form = response.context["adminform"].form
    assert form.errors.get("schedule_date")
    assert not Schedule.objects.exists()


def test_a_create_goes_through_the_service(actors):
    day = dt.date.today()
    response = logged_in(actors.manager).post(
        "/admin/scheduling/schedule/add/",
        {
            "store": actors.store.pk,
            "schedule_date": day.isoformat(),
            "notes": "by the service",
            "shifts-TOTAL_FORMS": "0",
            "shifts-INITIAL_FORMS": "0",
            "shifts-MIN_NUM_FORMS": "0",
            "shifts-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    schedule = Schedule.objects.get()
    assert (schedule.store, schedule.schedule_date, schedule.notes) == (actors.store, day, "by the service")


def test_a_bulk_action_reports_each_refusal(actors):
    open_one = ScheduleFactory(store=actors.store, schedule_date=dt.date.today())
    published = ScheduleFactory(
        store=actors.store,
        schedule_date=dt.date.today() + dt.timedelta(days=1),
        is_published=True,
        published_at=timezone.now(),
    )
    response = logged_in(actors.manager).post(
        "/admin/scheduling/schedule/",
        {"action": "delete_selected", "_selected_action": [open_one.pk, published.pk], "post": "yes"},
        follow=True,
    )
    texts = messages_of(response)
    assert any("1 schedule deleted" in t for t in texts), texts
    assert any(t.startswith(f"{published.pk}:") and "published" in t for t in texts), texts
    assert any("1 schedule was refused" in t for t in texts), texts
    assert list(Schedule.objects.all()) == [published]


def test_history_shows_the_audit_trail_with_its_actor(actors):
    order = OrderFactory(store=actors.store)
    order_services.order_update(order=order, user=actors.manager, customer_name="Wang Fang")
    response = logged_in(actors.admin).get(f"/admin/orders/order/{order.pk}/history/")
    assert response.status_code == 200
    page = response.content.decode()
    assert actors.manager.username in page
    assert "order.update" in page
    assert "Wang Fang" in page


def test_history_of_another_store_is_not_shown(actors):
    order = OrderFactory(store=actors.other_store)
    response = logged_in(actors.manager).get(f"/admin/orders/order/{order.pk}/history/")
    assert response.status_code in (302, 404)


def test_a_refused_delete_keeps_the_object_and_says_why(actors):
    published = ScheduleFactory(
        store=actors.store, schedule_date=dt.date.today(), is_published=True, published_at=timezone.now()
    )
    response = logged_in(actors.manager).post(
        f"/admin/scheduling/schedule/{published.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert any("published" in t for t in messages_of(response))
    assert Schedule.objects.filter(pk=published.pk).exists()


def test_a_change_goes_through_the_service(actors):
    schedule = ScheduleFactory(store=actors.store, schedule_date=dt.date.today())
    response = logged_in(actors.admin).post(
        f"/admin/scheduling/schedule/{schedule.pk}/change/",
        {
            "notes": "moved",
            "shifts-TOTAL_FORMS": "0",
            "shifts-INITIAL_FORMS": "0",
            "shifts-MIN_NUM_FORMS": "0",
            "shifts-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.notes == "moved"
