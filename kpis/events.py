"""What a KPI computation announces, after commit and only with ``notify=True``.

One ``kpi.updated`` event per store-day carrying its records (`record_payload`, the shape the
dashboard's KPI entries have too: docs/api.md), and one ``kpi_off_track`` notification per
store-day to the store's active managers naming the KPIs that *became* off track (a recompute that
finds a KPI still off track does not notify again). ``notify=False`` is a silent backfill (the
seed uses it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop as N_  # noqa: N812

from kpis.models import KPIRecord
from notifications.models import Notification
from notifications.texts import message, name
from zhilian import events, roles
from zhilian.formatting import format_kpi_value

Status = KPIRecord.Status


def announce(records: list[KPIRecord], previous_status: dict) -> None:
    """One `kpi.updated` per store-day; notifications for records that became off track."""
    from accounts.models import User
    from notifications.services import notification_create

    by_store_day: dict[tuple[str, dt.date], list[KPIRecord]] = defaultdict(list)
    for record in records:
        by_store_day[(record.store_id, record.record_date)].append(record)
    for (store_id, day), rows in by_store_day.items():
        events.publish(
            "kpi.updated", store_id=store_id, data={"date": day, "records": [record_payload(r) for r in rows]}
        )

    went_off = [
        r
        for r in records
        if r.status == Status.OFF_TRACK
        and previous_status.get((r.kpi_id, r.store_id, r.record_date)) != Status.OFF_TRACK
    ]
    if not went_off:
        return
    managers: dict[str, list[User]] = defaultdict(list)
    for user in User.objects.filter(
        store_id__in={r.store_id for r in went_off}, role=roles.Role.MANAGER, is_active=True
    ):
        managers[user.store_id].append(user)
    # One notification per store-day naming every KPI that went off track, not one per KPI.
    by_day: dict[tuple[str, dt.date], list[KPIRecord]] = defaultdict(list)
    for record in went_off:
        by_day[(record.store_id, record.record_date)].append(record)
    for (store_id, day), rows in by_day.items():
        if not managers[store_id]:
            continue
        # Worded for each reader's language when read (notifications.texts).
        lines = [
            message(
                N_("%(kpi)s: %(value)s (target %(target)s)"),
                kpi=name(r.kpi.name, r.kpi.name_zh),
                # Money as ¥, ratios as % (zhilian.formatting), as every other screen shows them.
                value=format_kpi_value(r.value, r.kpi.unit),
                target=format_kpi_value(r.target_value, r.kpi.unit),
            )
            for r in rows
        ]
        if len(rows) == 1:
            title = message(N_("%(kpi)s off track on %(date)s"), kpi=name(rows[0].kpi.name, rows[0].kpi.name_zh),
                            date=day.isoformat())  # fmt: skip
        else:
            title = message(N_("%(count)s KPIs off track on %(date)s"), count=len(rows), date=day.isoformat())
        notification_create(
            recipients=managers[store_id],
            kind=Notification.Kind.KPI_OFF_TRACK,
            level=Notification.Level.WARNING,
            store_id=store_id,
            title=title,
            body=lines,
            data={
                "date": day.isoformat(),
                "kpis": [
                    {"kpi": r.kpi_id, "value": str(r.value), "target_value": _plain(r.target_value, None)} for r in rows
                ],
            },
        )


def _plain(value: Decimal | None, missing: str | None = "-") -> str | None:
    return missing if value is None else f"{value.normalize():f}"


def record_payload(record: KPIRecord) -> dict[str, Any]:
    """A record as the dashboard and `kpi.updated` show it."""
    kpi = record.kpi

    def s(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "kpi": record.kpi_id,
        "name": kpi.display_name,
        "metric": kpi.metric,
        "unit": kpi.unit,
        "category": kpi.category,
        "direction": kpi.direction,
        "value": s(record.value),
        "target_value": s(record.target_value),
        "achievement_rate": s(record.achievement_rate),
        "change_rate": s(record.change_rate),
        "status": record.status,
        "trend": record.trend,
    }
