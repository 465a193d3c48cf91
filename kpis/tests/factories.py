import datetime as dt
from decimal import Decimal

import factory

from kpis.models import KPI, KPIRecord


class KPIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KPI
        django_get_or_create = ("id",)

    id = factory.Sequence(lambda n: f"KPI_TEST_{n}")
    name = factory.Sequence(lambda n: f"Test KPI {n}")
    category = KPI.Category.REVENUE
    unit = "CNY"
    metric = KPI.Metric.REVENUE
    direction = KPI.Direction.HIGHER_IS_BETTER
    target_value = Decimal("10000")
    warning_threshold = Decimal("9000")
    critical_threshold = Decimal("7000")


class KPIRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KPIRecord

    kpi = factory.SubFactory(KPIFactory)
    store = factory.SubFactory("stores.tests.factories.StoreFactory")
    record_date = factory.Sequence(lambda n: dt.date(2026, 1, 1) + dt.timedelta(days=n))
    value = Decimal("9500")
    target_value = Decimal("10000")
    achievement_rate = Decimal("0.95")
