"""Computing and storing records: upsert, previous day, trend, events, notifications, bulk."""

import datetime as dt
from decimal import Decimal

import pytest

from kpis import metrics, services
from kpis.models import KPI, KPIRecord
from kpis.tests.factories import KPIFactory, KPIRecordFactory
from kpis.tests.helpers import local, order
from notifications.models import Notification
from orders.models import Order
from stores.models import Store
from stores.tests.factories import StoreFactory
from zhilian import events
from zhilian.errors import InvalidInput
from zhilian.testing.queries import count_queries

DAY = dt.date(2026, 11, 20)
D = Decimal


@pytest.fixture
def revenue_kpi(db):
    # The only active KPI in these tests: revenue, target 5000 (the store's 150,000 / 30 days too).
    return KPIFactory(
        id="KPI_REV", metric=KPI.Metric.REVENUE, target_value=D("5000"), warning_threshold=D("4500"),
        critical_threshold=D("3500"),
    )  # fmt: skip


def sell(store, day, cents):
    return order(store, local(day, 12), cents, status=Order.Status.COMPLETED)


def test_computing_twice_keeps_one_record_per_kpi_store_day(store, revenue_kpi):
    sell(store, DAY, 4000_00)
    first = services.kpi_compute_day(store=store, day=DAY, notify=False)
    sell(store, DAY, 1000_00)
    second = services.kpi_compute_day(store=store, day=DAY, notify=False)
    assert KPIRecord.objects.count() == 1
    assert first[0].pk == second[0].pk
    record = KPIRecord.objects.get()
    assert record.value == D("5000.0000")
    assert record.status == KPIRecord.Status.ON_TRACK
    assert record.achievement_rate == D("1.0000")


def test_every_active_daily_kpi_gets_a_record(store):
    services.kpi_ensure_defaults()
    KPI.objects.filter(pk="KPI_WASTE_COST").update(is_active=False)
    records = services.kpi_compute_day(store=store, day=DAY, notify=False)
    assert len(records) == 14
    # Not computed: inactive, and the actual food cost (not daily: recorded when a count closes).
    assert {"KPI_WASTE_COST", "KPI_ACTUAL_FOOD_COST"}.isdisjoint({r.kpi_id for r in records})


def test_previous_value_and_change_rate(store, revenue_kpi):
    sell(store, DAY - dt.timedelta(days=1), 4000_00)
    sell(store, DAY, 5000_00)
    services.kpi_compute_day(store=store, day=DAY - dt.timedelta(days=1), notify=False)
    (record,) = services.kpi_compute_day(store=store, day=DAY, notify=False)
    assert record.previous_value == D("4000.0000")
    assert record.change_rate == D("0.2500")


def test_change_rate_is_null_without_previous_record_or_with_zero(store, revenue_kpi):
    sell(store, DAY, 5000_00)
    (record,) = services.kpi_compute_day(store=store, day=DAY, notify=False)
    assert record.previous_value is None and record.change_rate is None
    # A record two days back is not "the previous day".
    KPIRecordFactory(kpi=revenue_kpi, store=store, record_date=DAY - dt.timedelta(days=2), value=D("10"))
    (record,) = services.kpi_compute_day(store=store, day=DAY, notify=False)
    assert record.previous_value is None and record.change_rate is None
    KPIRecordFactory(kpi=revenue_kpi, store=store, record_date=DAY - dt.timedelta(days=1), value=D("0"))
    (record,) = services.kpi_compute_day(store=store, day=DAY, notify=False)
    assert record.previous_value == D("0") and record.change_rate is None


def test_trend_over_stored_records(store, other_store, revenue_kpi):
    def history(values):
        KPIRecord.objects.filter(record_date__lt=DAY).delete()
        for n, value in enumerate(values):
            day = DAY - dt.timedelta(days=len(values) - n)
            KPIRecordFactory(kpi=revenue_kpi, store=store, record_date=day, value=D(value))

    # Records of another store do not take part.
    KPIRecordFactory(kpi=revenue_kpi, store=other_store, record_date=DAY - dt.timedelta(days=1), value=D("1"))
    sell(store, DAY, 7000_00)
    history(["1000", "2000", "3000", "4000", "5000", "6000"])
    (record,) = services.kpi_compute_day(store=store, day=DAY, notify=False)
    assert record.trend == KPIRecord.Trend.INCREASING
    history(["13000", "12000", "11000", "10000", "9000", "8000"])
    (record,) = services.kpi_compute_day(store=store, day=DAY, notify=False)
    assert record.trend == KPIRecord.Trend.DECREASING
    history(["7000", "1000", "7000", "1000", "7000", "1000"])
    (record,) = services.kpi_compute_day(store=store, day=DAY, notify=False)
    assert record.trend == KPIRecord.Trend.VOLATILE
    history(["7000", "7050", "7000", "6990", "7000", "7000"])
    (record,) = services.kpi_compute_day(store=store, day=DAY, notify=False)
    assert record.trend == KPIRecord.Trend.STABLE


def test_trend_with_no_history_is_stable(store, revenue_kpi):
    (record,) = services.kpi_compute_day(store=store, day=DAY, notify=False)
    assert record.trend == KPIRecord.Trend.STABLE


def test_range_uses_values_computed_in_the_same_run(store, revenue_kpi):
    for n in range(5):
        sell(store, DAY - dt.timedelta(days=4 - n), (n + 1) * 1000_00)
    assert services.kpi_compute(stores=[store], start=DAY - dt.timedelta(days=4), end=DAY, notify=False) == 5
    last = KPIRecord.objects.get(record_date=DAY)
    assert last.value == D("5000.0000")
    assert last.previous_value == D("4000.0000")
    assert last.change_rate == D("0.2500")
    assert last.trend == KPIRecord.Trend.INCREASING


def test_bulk_equals_day_by_day(store, other_store):
    services.kpi_ensure_defaults()
    for n in range(6):
        day = DAY - dt.timedelta(days=n)
        sell(store, day, (n + 2) * 700_00)
        sell(other_store, day, (n + 1) * 900_00)
    start = DAY - dt.timedelta(days=5)
    services.kpi_compute(stores=[store, other_store], start=start, end=DAY, notify=False)
    fields = ("kpi_id", "store_id", "record_date", "value", "target_value", "achievement_rate", "previous_value",
              "change_rate", "status", "trend", "metadata")  # fmt: skip
    bulk = sorted(KPIRecord.objects.values_list(*fields))
    KPIRecord.objects.all().delete()
    for n in range(6):
        for s in (store, other_store):
            services.kpi_compute_day(store=s, day=start + dt.timedelta(days=n), notify=False)
    assert sorted(KPIRecord.objects.values_list(*fields)) == bulk
    assert len(bulk) == 15 * 6 * 2


def test_bulk_query_count_does_not_grow_with_days_or_stores(store, other_store):
    services.kpi_ensure_defaults()
    few, _ = count_queries(lambda: services.kpi_compute(stores=[store], start=DAY, end=DAY, notify=False))
    # 48 records still fit one INSERT on SQLite (999 parameters); larger runs add one per batch only.
    many, _ = count_queries(
        lambda: services.kpi_compute(
            stores=[store, other_store], start=DAY - dt.timedelta(days=1), end=DAY, notify=False
        )
    )
    assert few == many


def test_default_stores_are_the_active_ones(store, other_store, revenue_kpi):
    StoreFactory(id="STORE003", status=Store.Status.CLOSED)
    assert services.kpi_compute(start=DAY, notify=False) == 2
    assert set(KPIRecord.objects.values_list("store_id", flat=True)) == {"STORE001", "STORE002"}


def test_days_before_opening_are_skipped(store, revenue_kpi):
    store.opening_date = DAY
    store.save()
    assert services.kpi_compute(stores=[store], start=DAY - dt.timedelta(days=3), end=DAY, notify=False) == 1


def test_reversed_range_is_refused(store, revenue_kpi):
    with pytest.raises(InvalidInput):
        services.kpi_compute(stores=[store], start=DAY, end=DAY - dt.timedelta(days=1))


def test_off_track_notifies_the_managers_once(store, revenue_kpi, manager, other_manager, staff):
    sell(store, DAY, 1000_00)  # 1000 < 3500: off track
    services.kpi_compute_day(store=store, day=DAY)
    notes = list(Notification.objects.filter(kind=Notification.Kind.KPI_OFF_TRACK))
    assert [n.recipient for n in notes] == [manager]
    assert notes[0].store_id == "STORE001"
    i18n = notes[0].data.pop("i18n")  # the texts, worded when read (notifications.texts)
    assert notes[0].data == {
        "date": "2026-11-20",
        "kpis": [{"kpi": "KPI_REV", "value": "1000.0000", "target_value": "5000"}],
    }
    assert i18n["title"]["params"]["date"] == "2026-11-20"
    assert notes[0].title == f"{revenue_kpi.name} off track on 2026-11-20"
    assert notes[0].body == f"{revenue_kpi.name}: ¥1,000.00 (target ¥5,000.00)"
    # Still off track on recompute: no second notification.
    services.kpi_compute_day(store=store, day=DAY)
    assert Notification.objects.filter(kind=Notification.Kind.KPI_OFF_TRACK).count() == 1


def test_one_notification_per_store_day(store, manager):
    services.kpi_ensure_defaults()  # an empty day: revenue, order count, check, turnover, RevPASH off track
    services.kpi_compute(stores=[store], start=DAY - dt.timedelta(days=1), end=DAY)
    notes = Notification.objects.filter(recipient=manager, kind="kpi_off_track").order_by("data__date")
    assert [n.data["date"] for n in notes] == ["2026-11-19", "2026-11-20"]
    assert notes[0].title == "5 KPIs off track on 2026-11-19"
    assert {k["kpi"] for k in notes[0].data["kpis"]} == {
        "KPI_REVENUE", "KPI_ORDER_COUNT", "KPI_AVERAGE_CHECK", "KPI_TABLE_TURNOVER", "KPI_REVPASH",
    }  # fmt: skip


def test_becoming_off_track_again_notifies(store, revenue_kpi, manager):
    sell(store, DAY, 4000_00)  # at risk
    services.kpi_compute_day(store=store, day=DAY)
    assert not Notification.objects.exists()
    KPI.objects.filter(pk="KPI_REV").update(warning_threshold=D("8000"), critical_threshold=D("7000"))
    services.kpi_compute_day(store=store, day=DAY)
    assert Notification.objects.filter(recipient=manager, kind="kpi_off_track").count() == 1


def test_notify_false_is_silent(store, revenue_kpi, manager, django_capture_on_commit_callbacks):
    sell(store, DAY, 1000_00)
    with django_capture_on_commit_callbacks() as callbacks:
        services.kpi_compute_day(store=store, day=DAY, notify=False)
    assert not Notification.objects.exists()
    assert callbacks == []


def test_kpi_updated_is_published_after_commit(store, revenue_kpi, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(events, "_send", lambda groups, event: sent.append((groups, event)))
    sell(store, DAY, 6000_00)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.kpi_compute_day(store=store, day=DAY)
    assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    ((groups, event),) = sent
    assert groups == ["store.STORE001"]
    assert event["type"] == "kpi.updated"
    assert event["store"] == "STORE001"
    assert event["data"]["date"] == "2026-11-20"
    (payload,) = event["data"]["records"]
    assert payload["kpi"] == "KPI_REV"
    assert payload["value"] == "6000.0000"
    assert payload["status"] == "on_track"


def test_one_event_per_store_day(store, other_store, revenue_kpi, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(events, "_send", lambda groups, event: sent.append(event))
    with django_capture_on_commit_callbacks(execute=True):
        services.kpi_compute(stores=[store, other_store], start=DAY - dt.timedelta(days=2), end=DAY)
    assert sorted((e["store"], e["data"]["date"]) for e in sent) == [
        (s, d) for s in ("STORE001", "STORE002") for d in ("2026-11-18", "2026-11-19", "2026-11-20")
    ]


def test_ensure_defaults_is_idempotent_and_keeps_edits(db):
    assert services.kpi_ensure_defaults() == 16
    KPI.objects.filter(pk="KPI_REVENUE").update(target_value=D("9999"))
    assert services.kpi_ensure_defaults() == 0
    assert KPI.objects.get(pk="KPI_REVENUE").target_value == D("9999")
    services.kpi_ensure_defaults(overwrite=True)
    assert KPI.objects.get(pk="KPI_REVENUE").target_value == D("5000")
    ids = {d["id"] for d in metrics.kpi_defaults()}
    assert ids == {
        "KPI_REVENUE", "KPI_ORDER_COUNT", "KPI_AVERAGE_CHECK", "KPI_TABLE_TURNOVER", "KPI_REVPASH",
        "KPI_FOOD_COST_RATIO", "KPI_LABOR_COST_RATIO", "KPI_WASTE_COST", "KPI_TICKET_TIME", "KPI_NO_SHOW_RATE",
        "KPI_STOCK_OUTS", "KPI_THEORETICAL_FOOD_COST", "KPI_ACTUAL_FOOD_COST",
        "KPI_WALK_INS_SEATED", "KPI_AVERAGE_WAIT", "KPI_ABANDONMENT_RATE",
    }  # fmt: skip
    assert set(KPI.objects.values_list("metric", flat=True)) == set(KPI.Metric.values)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_computes_of_one_store_day_keep_one_record_each():
    import threading

    from django.db import connection

    store = StoreFactory(id="STORE001")
    services.kpi_ensure_defaults()
    sell(store, DAY, 1000_00)
    errors, barrier = [], threading.Barrier(4)

    def work():
        try:
            barrier.wait()
            services.kpi_compute_day(store=store, day=DAY, notify=False)
        except Exception as exc:  # the test reports whatever went wrong
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert KPIRecord.objects.filter(store=store, record_date=DAY).count() == 15
