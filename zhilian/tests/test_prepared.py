"""zhilian.prepared: reads compiled once give exactly what their values() queryset gives, for every
call's own values, in one query, and run as prepared statements on PostgreSQL."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders import selectors
from orders.models import Order, OrderItem
from zhilian.prepared import PreparedValues
from zhilian.tests.test_performance_guards import make_orders
from zhilian.tests.test_security_settings import production_env, run

PG = "postgres://app@db.example:5432/zhilian"


def order_lines(orders):
    return OrderItem.objects.filter(order_id__in=orders).order_by("created_at", "id").values("order_id", "id", "notes")


def with_lines(order, store=None):
    scope = {} if store is None else {"store_id": store}
    return selectors._ORDER_WITH_LINES.filter(pk=order, **scope)


@pytest.mark.django_db
def test_rows_equal_the_querysets_for_each_calls_values(store, other_store):
    make_orders(store, 3)
    make_orders(other_store, 2, start=10)
    prepared = PreparedValues(with_lines)
    for order in Order.objects.all():
        for scope in ({}, {"store": store.pk}, {"store": other_store.pk}):
            expected = list(with_lines(order.pk, scope.get("store")))
            assert prepared(order=order.pk, **scope) == expected
            if scope and scope["store"] != order.store_id:
                assert expected == []  # the store filter is really applied
    # Two shapes (with and without a store), each compiled once.
    assert len(prepared._compiled) == 2


@pytest.mark.django_db
def test_lists_of_any_length_and_their_order(store):
    make_orders(store, 6)
    ids = list(Order.objects.order_by("id").values_list("id", flat=True))
    prepared = PreparedValues(order_lines)
    for chosen in (ids[:1], ids[2:5], ids[::-1], ids[4:]):
        rows = prepared(orders=chosen)
        assert rows == list(order_lines(chosen))
        assert {row["order_id"] for row in rows} == set(chosen)


@pytest.mark.django_db
def test_one_query_per_call_and_converted_values(store):
    make_orders(store, 2)
    order = Order.objects.filter(table__isnull=False).first()
    Order.objects.filter(pk=order.pk).update(metadata={"promotion": "member_5pct", "n": [1, 2]})
    prepared = PreparedValues(with_lines)
    prepared(order=order.pk)
    with CaptureQueriesContext(connection) as ctx:
        rows = prepared(order=order.pk)
    assert len(ctx.captured_queries) == 1
    # JSON decoded and time zones attached as the ORM does, on either database.
    assert rows[0]["metadata"] == {"promotion": "member_5pct", "n": [1, 2]}
    assert rows[0]["order_time"] == order.order_time and rows[0]["order_time"].tzinfo is not None
    assert rows[0]["table_number"] == order.table.number


@pytest.mark.django_db
def test_a_parameter_the_field_rewrites_is_refused_when_compiled(store):
    prepared = PreparedValues(lambda name: Order.objects.filter(customer_name__icontains=name).values("id"))
    with pytest.raises(ImproperlyConfigured, match="did not reach the SQL unchanged"):
        prepared(name="王")


@pytest.mark.django_db
def test_the_order_detail_is_scoped_by_the_users_store(store, other_store, admin_user, manager, other_manager, staff):
    make_orders(store, 1)
    order = Order.objects.get()
    assert selectors.order_detail_payload(user=manager, order_id=order.pk)["id"] == order.pk
    assert selectors.order_detail_payload(user=staff, order_id=order.pk)["id"] == order.pk
    assert selectors.order_detail_payload(user=admin_user, order_id=order.pk)["id"] == order.pk
    assert selectors.order_detail_payload(user=other_manager, order_id=order.pk) is None
    manager.is_active = False
    assert selectors.order_detail_payload(user=manager, order_id=order.pk) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
@pytest.mark.django_db
def test_postgresql_prepares_the_statement_after_the_threshold(store, settings):
    make_orders(store, 1)
    order = Order.objects.get()
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    prepared = PreparedValues(with_lines)
    for _ in range(threshold + 1):
        prepared(order=order.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ['%"orders_order"%'])
        statements = [row[0] for row in cursor.fetchall()]
    assert any("$1" in statement for statement in statements)


def database_options(**env: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "options = settings.DATABASES['default']['OPTIONS']; "
        "print(json.dumps({k: options[k] for k in ('server_side_binding', 'prepare_threshold') if k in options}))"
    )
    result = run(["-c", code], production_env(**env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"DATABASE_URL": PG}, {"server_side_binding": True, "prepare_threshold": 5}),
        ({"DATABASE_URL": PG, "DB_PREPARE_THRESHOLD": "0"}, {"server_side_binding": True, "prepare_threshold": 0}),
        # Behind PgBouncer in transaction mode: client-side binding, nothing prepared.
        ({"DATABASE_URL": PG, "DB_PREPARE_THRESHOLD": "-1"}, {}),
        ({"DATABASE_URL": "sqlite:////tmp/zhilian-settings-test.sqlite3"}, {}),
    ],
)
def test_statements_are_bound_on_the_server_and_prepared_as_configured(env, expected):
    assert database_options(**env) == expected
