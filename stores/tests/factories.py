import datetime as dt
from decimal import Decimal

import factory

from stores.models import Employee, Region, Store, Table

ALL_DAY = {day: [["10:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "east"
    name = factory.LazyAttribute(lambda r: r.code.title())


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    id = factory.Sequence(lambda n: f"TST{n:03d}")
    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"Test Store {n}")
    city = "Shanghai"
    district = "Jing'an"
    region = factory.SubFactory(RegionFactory)
    seats = 80
    status = Store.Status.ACTIVE
    business_hours = factory.LazyFunction(lambda: {k: [list(v[0])] for k, v in ALL_DAY.items()})
    opening_date = dt.date(2020, 1, 1)
    monthly_revenue_target_cents = 150_000_00
    daily_customer_target = 200
    cost_ratio_target = Decimal("0.3500")
    labor_cost_ratio_target = Decimal("0.2500")


class TableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Table

    store = factory.SubFactory(StoreFactory)
    number = factory.Sequence(lambda n: f"A{n}")
    capacity = 4
    kind = Table.Kind.HALL


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    id = factory.Sequence(lambda n: f"EMPT{n:04d}")
    store = factory.SubFactory(StoreFactory)
    name = factory.Faker("name")
    position = Employee.Position.WAITER
    skills = factory.LazyFunction(lambda: ["service"])
    hire_date = dt.date(2023, 3, 1)
    preferences = factory.LazyFunction(lambda: {"max_hours_per_week": 40})
    performance_score = Decimal("80.00")
    hourly_wage_cents = 25_00
