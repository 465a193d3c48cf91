"""Database constraints of stores.Store, Table and Employee, and protected deletes."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from orders.tests.factories import OrderFactory
from stores.models import Employee, Store, Table
from stores.tests.factories import EmployeeFactory, StoreFactory, TableFactory


def _raw_update(model, pk, **fields):
    # .update() skips model validation: only the database constraint can refuse it.
    with transaction.atomic():
        model.objects.filter(pk=pk).update(**fields)


@pytest.mark.django_db
class TestStoreConstraints:
    def test_code_is_unique(self, store):
        with pytest.raises(IntegrityError), transaction.atomic():
            StoreFactory(code=store.code)

    @pytest.mark.parametrize(
        "fields",
        [
            {"monthly_revenue_target_cents": -1},
            {"cost_ratio_target": Decimal("1.5")},
            {"labor_cost_ratio_target": Decimal("-0.1")},
        ],
    )
    def test_check_constraints(self, store, fields):
        with pytest.raises(IntegrityError):
            _raw_update(Store, store.pk, **fields)

    def test_business_hours_are_validated(self, store):
        store.business_hours = {"mon": [["23:00", "09:00"]]}
        with pytest.raises(ValidationError) as exc:
            store.full_clean()
        assert "business_hours" in exc.value.message_dict

    def test_hours_on(self, store):
        store.business_hours = {"mon": [["10:30", "14:00"], ["17:00", "22:00"]]}
        assert store.hours_on(0) == [("10:30", "14:00"), ("17:00", "22:00")]
        assert store.hours_on(6) == []

    def test_string_id_is_validated(self, db):
        with pytest.raises(ValidationError) as exc:
            Store(id="bad id", code="X", name="X", city="X").full_clean()
        assert "id" in exc.value.message_dict


@pytest.mark.django_db
class TestTableConstraints:
    def test_number_is_unique_per_store(self, store, other_store):
        TableFactory(store=store, number="A1")
        TableFactory(store=other_store, number="A1")  # another store may reuse it
        with pytest.raises(IntegrityError), transaction.atomic():
            TableFactory(store=store, number="A1")

    def test_capacity_at_least_one(self, store):
        table = TableFactory(store=store)
        with pytest.raises(IntegrityError):
            _raw_update(Table, table.pk, capacity=0)

    def test_tables_go_with_their_store(self, db):
        store = StoreFactory()
        TableFactory(store=store)
        store.delete()
        assert not Table.objects.filter(store_id=store.pk).exists()


@pytest.mark.django_db
class TestEmployeeConstraints:
    @pytest.mark.parametrize(
        "fields", [{"hourly_wage_cents": -1}, {"performance_score": Decimal("100.5")}, {"performance_score": -1}]
    )
    def test_check_constraints(self, store, fields):
        emp = EmployeeFactory(store=store)
        with pytest.raises(IntegrityError):
            _raw_update(Employee, emp.pk, **fields)

    def test_one_login_per_employee(self, store, staff):
        EmployeeFactory(store=store, user=staff)
        with pytest.raises(IntegrityError), transaction.atomic():
            EmployeeFactory(store=store, user=staff)

    def test_login_of_another_store_is_refused_by_clean(self, store, other_staff):
        emp = EmployeeFactory.build(store=store, user=other_staff)
        with pytest.raises(ValidationError) as exc:
            emp.full_clean()
        assert "user" in exc.value.message_dict

    def test_deleting_the_login_keeps_the_employee(self, store, staff):
        emp = EmployeeFactory(store=store, user=staff)
        staff.delete()
        emp.refresh_from_db()
        assert emp.user is None


@pytest.mark.django_db
class TestProtectedDeletes:
    def test_store_with_orders_is_protected(self, db):
        store = StoreFactory()
        OrderFactory(store=store)
        with pytest.raises(ProtectedError):
            store.delete()

    def test_store_with_employees_is_protected(self, db):
        store = StoreFactory()
        EmployeeFactory(store=store)
        with pytest.raises(ProtectedError):
            store.delete()

    def test_employee_who_served_orders_is_protected(self, store):
        emp = EmployeeFactory(store=store)
        OrderFactory(store=store, waiter=emp)
        with pytest.raises(ProtectedError):
            emp.delete()
