"""The order reads through the production server (gunicorn.conf.py, DEBUG off, psycopg pool,
parameters bound on the server and statements prepared after a few runs): past the point where
every pooled connection has prepared them, they still answer what the database holds, for each
user's store, and a change shows on the next read."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings
from django.db import connection
from rest_framework_simplejwt.tokens import AccessToken

from orders import selectors
from orders.models import Order
from zhilian.testing.server import ProductionServer, database_url
from zhilian.tests.test_performance_guards import DAY, make_orders

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

# More runs than DB_PREPARE_THRESHOLD on every connection the pool may hand out.
RUNS = 4 * (django_settings.DATABASES["default"]["OPTIONS"].get("prepare_threshold") or 5)


@pytest.fixture(scope="module")
def server(django_db_setup):
    with ProductionServer(
        database_url(connection.settings_dict),
        workers=1,
        pool_max=2,
        secret_key=django_settings.SECRET_KEY,
        ready_path="/health/ready",
        JWT_SIGNING_KEY=django_settings.SIMPLE_JWT["SIGNING_KEY"],
    ) as running:
        yield running
    Path(running.log.name).unlink(missing_ok=True)


def client(server, user) -> httpx.Client:
    token = AccessToken.for_user(user)
    return httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_prepared_reads_keep_answering_what_the_database_holds(server, store, other_store, manager, other_manager):
    make_orders(store, 3)
    make_orders(other_store, 2, start=10)
    mine = Order.objects.filter(store=store).order_by("id").first()
    theirs = Order.objects.filter(store=other_store).first()
    with client(server, manager) as api:
        for _ in range(RUNS):
            detail = api.get(f"/api/v1/orders/{mine.pk}/")
            assert detail.status_code == 200
            assert detail.json() == selectors.order_detail_payload(user=manager, order_id=mine.pk)
            listed = api.get("/api/v1/orders/", params={"store": store.pk, "date": DAY.isoformat()})
            assert [order["id"] for order in listed.json()["results"]] == list(
                Order.objects.filter(store=store).order_by("-order_time", "-id").values_list("id", flat=True)
            )
            # Another store's order stays invisible however often the statement has run.
            assert api.get(f"/api/v1/orders/{theirs.pk}/").status_code == 404
        Order.objects.filter(pk=mine.pk).update(customer_name="改过的名字")
        assert api.get(f"/api/v1/orders/{mine.pk}/").json()["customer_name"] == "改过的名字"
    with client(server, other_manager) as api:
        for _ in range(RUNS):
            assert api.get(f"/api/v1/orders/{theirs.pk}/").json()["id"] == theirs.pk
            assert api.get(f"/api/v1/orders/{mine.pk}/").status_code == 404
