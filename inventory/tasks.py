"""Inventory jobs (zhilian.jobs): the low-stock scan.

Stock writes keep each item's status current and alert as they go; the scan catches what they
cannot see (a status left behind by a bulk edit, an import, a reorder point changed in SQL): it
re-derives every active item's status, one store at a time so each store's rows are locked briefly,
and the service alerts the managers of items that got worse. A second run changes nothing and so
alerts nobody (idempotent).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db.models import Count, Q

from inventory.models import InventoryItem
from inventory.services import inventory_item_refresh_status
from stores.models import Store

logger = logging.getLogger(__name__)
Status = InventoryItem.Status


@shared_task(name="inventory.scan_low_stock")
def scan_low_stock() -> dict:
    """Refresh the stock status of every active item of every active store; count what is short."""
    store_ids = list(Store.objects.filter(status=Store.Status.ACTIVE).order_by("pk").values_list("pk", flat=True))
    changed = 0
    for store_id in store_ids:
        items = InventoryItem.objects.filter(store_id=store_id, is_active=True).only("pk")
        changed += inventory_item_refresh_status(items=items)
    short = InventoryItem.objects.filter(store_id__in=store_ids, is_active=True).aggregate(
        low=Count("pk", filter=Q(status=Status.LOW)),
        critical=Count("pk", filter=Q(status=Status.CRITICAL)),
        out_of_stock=Count("pk", filter=Q(status=Status.OUT_OF_STOCK)),
    )
    logger.info(
        "low-stock scan: %d store(s), %d status(es) corrected; %d low, %d critical, %d out of stock",
        len(store_ids),
        changed,
        short["low"],
        short["critical"],
        short["out_of_stock"],
    )
    return {"stores": len(store_ids), "changed": changed, **short}
