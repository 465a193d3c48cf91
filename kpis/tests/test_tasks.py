"""The KPI jobs (kpis/tasks.py) run through Celery, eagerly: each computes its day for every active
store, and a second run leaves the same records (idempotent)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kpis import tasks
from kpis.models import KPI, KPIRecord
from kpis.tests.factories import KPIFactory
from kpis.tests.helpers import local, order
from orders.models import Order
from stores.models import Store
from stores.tests.factories import StoreFactory


@pytest.fixture
def revenue_kpi(db):
    return KPIFactory(
        id="KPI_REV", metric=KPI.Metric.REVENUE, target_value=Decimal("5000"), warning_threshold=Decimal("4500"),
        critical_threshold=Decimal("3500"),
    )  # fmt: skip


def _records():
    return sorted(KPIRecord.objects.values_list("store_id", "kpi_id", "record_date", "value", "status"))


@pytest.mark.parametrize(
    ("task", "offset"), [(tasks.compute_kpis_yesterday, -1), (tasks.compute_kpis_today, 0)], ids=["yesterday", "today"]
)
def test_computes_its_day_for_every_active_store_and_is_idempotent(store, other_store, revenue_kpi, task, offset):
    StoreFactory(id="STORE003", status=Store.Status.RENOVATING)
    day = timezone.localdate() + dt.timedelta(days=offset)
    order(store, local(day, 0, 5), 4200_00, status=Order.Status.COMPLETED)
    order(other_store, local(day - dt.timedelta(days=1), 12), 999_00, status=Order.Status.COMPLETED)

    result = task.apply()
    assert result.successful(), result.traceback
    assert result.result == {"date": day.isoformat(), "records": 2}
    first = _records()
    assert [(r[0], r[2], r[3]) for r in first] == [("STORE001", day, Decimal("4200.00")), ("STORE002", day, 0)]

    assert task.apply().result == {"date": day.isoformat(), "records": 2}
    assert _records() == first
