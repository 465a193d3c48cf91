"""Helpers shared by the orders API tests."""

ORDERS = "/api/v1/orders/"
ITEMS_URL = "/api/v1/order-items/"


def order_body(**extra):
    return {
        "order_type": "dine_in",
        "customer_name": "Wang Fang",
        "customer_phone": "13800001111",
        "items": [
            {
                "is_open_item": True,
                "item_code": "D001",
                "item_name": "Kung Pao Chicken",
                "quantity": 2,
                "unit_price_cents": 4800,
            },
            {
                "is_open_item": True,
                "item_code": "D002",
                "item_name": "Mapo Tofu",
                "unit_price_cents": 3200,
                "notes": "mild",
            },
        ],
        **extra,
    }


def transition(client, order, status, reason=""):
    return client.post(f"{ORDERS}{order.pk}/transition/", {"status": status, "reason": reason}, format="json")
