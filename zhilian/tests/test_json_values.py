"""JSON values: bounded at every door, and a stored value never breaks a list (zhilian.jsonvalues)."""

from __future__ import annotations

import math

import pytest
from django.db import connection

from orders.models import Order
from orders.tests.factories import OrderFactory
from stores.models import Store
from zhilian.jsonvalues import UNREADABLE, json_displayable, json_problem


def nested(depth: int):
    value: object = "leaf"
    for _ in range(depth):
        value = {"k": value}
    return value


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (nested(10), None),
        (nested(11), "Nested more than 10 levels deep."),
        ([[[[[[[[[[1]]]]]]]]]], None),
        ([[[[[[[[[[[1]]]]]]]]]]], "Nested more than 10 levels deep."),
        ({"n": 2**63 - 1, "m": -(2**63)}, None),
        ({"n": 2**63}, "Whole numbers must fit in 64 bits."),
        ({"f": math.nan}, "NaN and Infinity are not JSON numbers."),
        ([math.inf], "NaN and Infinity are not JSON numbers."),
        ({"t": "a\x00b"}, "Text may not contain NUL characters."),
        ({"a\x00": 1}, "Text may not contain NUL characters."),
        (["\ud800"], "Text may not contain unpaired surrogates."),
        ({1: "x"}, "Object keys must be text."),
        ({"d": object()}, "Only JSON values (objects, arrays, text, numbers, true, false, null) are allowed."),
        ("x" * 32_000, None),
        ("x" * 33_000, "At most 32768 bytes of JSON (this is 33002)."),
        ({"ok": ["中文", "🀄", 1.5, True, None]}, None),
    ],
)
def test_json_problem_names_what_is_wrong(value, problem):
    assert json_problem(value) == problem


def test_json_problem_walks_any_depth_without_recursion():
    value: object = 1
    for _ in range(100_000):
        value = [value]
    assert json_problem(value) == "Nested more than 10 levels deep."


def test_displayable_copy_can_always_be_written():
    import orjson

    deep: object = "leaf"
    for _ in range(5000):
        deep = [deep]
    shown = json_displayable({"deep": deep, "big": 2**70, "nan": math.nan, "bad": "\ud800x", "ok": [1, "a"]})
    orjson.dumps(shown)  # does not raise
    assert shown["big"] == str(2**70)
    assert shown["nan"] is None
    assert shown["bad"] == "\ufffdx"
    assert shown["ok"] == [1, "a"]
    level = shown["deep"]
    for _ in range(63):
        level = level[0]
    assert level == UNREADABLE


def test_api_refuses_too_deep_metadata_naming_the_field_and_saves_nothing(actors, client_for):
    payload = {
        "store": actors.store.pk,
        "order_type": "takeaway",
        "metadata": nested(11),
        "items": [{"is_open_item": True, "item_code": "D1", "item_name": "Tea", "unit_price_cents": 500}],
    }
    response = client_for(actors.manager).post("/api/v1/orders/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"metadata": ["Nested more than 10 levels deep."]}
    assert not Order.objects.exists()


def test_api_refuses_too_deep_item_customizations_naming_the_item(actors, client_for):
    payload = {
        "store": actors.store.pk,
        "order_type": "takeaway",
        "items": [
            {
                "is_open_item": True,
                "item_code": "D1",
                "item_name": "Tea",
                "unit_price_cents": 500,
                "customizations": nested(11),
            }
        ],
    }
    response = client_for(actors.manager).post("/api/v1/orders/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"items": {"0": {"customizations": ["Nested more than 10 levels deep."]}}}
    assert not Order.objects.exists()


def test_a_body_nested_beyond_any_resource_is_a_parse_error(actors, client_for):
    body = "[" * 1000 + "]" * 1000
    response = client_for(actors.manager).post("/api/v1/orders/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize(
    "body",
    [
        {"data": {"config": '{"staffing": NaN}'}, "format": "multipart"},
        {"data": "config=%7B%22staffing%22%3A+NaN%7D", "content_type": "application/x-www-form-urlencoded"},
    ],
    ids=["multipart", "form"],
)
def test_store_config_sent_as_form_text_is_refused(actors, client_for, body):
    # The API reads JSON only (docs/api.md): a form body never reaches the serializer.
    response = client_for(actors.manager).patch(f"/api/v1/stores/{actors.store.pk}/", **body)
    assert response.status_code == 415
    actors.store.refresh_from_db()
    assert actors.store.config == {}


def test_a_stored_value_too_deep_for_the_renderer_does_not_break_the_list(actors, client_for):
    order = OrderFactory(store=actors.store)
    # Written past every check, as a row from before the bound (or by hand) would be.
    Order.objects.filter(pk=order.pk).update(metadata=nested(300))
    client = client_for(actors.manager)
    listed = client.get("/api/v1/orders/")
    assert listed.status_code == 200
    metadata, depth = listed.json()["results"][0]["metadata"], 0
    while metadata != UNREADABLE:
        metadata, depth = metadata["k"], depth + 1
    assert 50 < depth < 64  # cut where the renderer can still write it, not at the bound for input
    assert client.get(f"/api/v1/orders/{order.pk}/").status_code == 200


def test_a_stored_value_too_deep_to_read_is_shown_as_unreadable(actors, client_for, admin_user, client):
    order = OrderFactory(store=actors.store)
    # PostgreSQL stores 5,000 levels, deeper than any JSON parser here reads: the value is shown as
    # unreadable. SQLite's own JSON check refuses more than 1,000 levels: those are read, and cut
    # where the renderer can still write them.
    depth = 5000 if connection.vendor == "postgresql" else 999
    text = '{"k":' * depth + "1" + "}" * depth
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE orders_order SET metadata = %s{cast} WHERE id = %s", [text, order.pk])
    listed = client_for(actors.manager).get("/api/v1/orders/")
    assert listed.status_code == 200
    metadata, levels = listed.json()["results"][0]["metadata"], 0
    while metadata != UNREADABLE:
        metadata, levels = metadata["k"], levels + 1
    assert levels == 0 if connection.vendor == "postgresql" else levels < 64
    client.force_login(admin_user)
    assert client.get(f"/admin/orders/order/{order.pk}/change/").status_code == 200
    assert client.get("/admin/orders/order/").status_code == 200


def test_admin_form_refuses_too_deep_json_without_a_500(admin_user, client, store):
    import json

    client.force_login(admin_user)
    url = f"/admin/stores/store/{store.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["config"] = "[" * 3000 + "]" * 3000
    data["business_hours"] = json.dumps(store.business_hours)
    data = {k: (json.dumps(v) if isinstance(v, dict | list) else v) for k, v in data.items()}
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "config" in response.context["adminform"].form.errors
    assert Store.objects.get(pk=store.pk).config == store.config
