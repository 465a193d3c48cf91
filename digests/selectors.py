"""The digest of a period for a user: the stores they see (`for_user`), per store and per region.

One selector reads it all: the chain report (`kpis.chain.report`: revenue, labor %, food cost %,
stock-outs and the KPIs off track over the period, three queries) and the domain tables for what
KPIs do not count: no-shows (reservations), missed clock-outs closed automatically and flagged for
review (attendance), and, for admins, the background jobs that failed (their notifications).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from attendance.models import TimeEntry
from kpis.chain.report import Period, chain_report
from kpis.models import KPI, KPIRecord
from notifications.models import Notification
from reservations.models import Reservation
from zhilian import roles
from zhilian.dates import local_day_bounds
from zhilian.formatting import format_change, format_kpi_value

M = KPI.Metric
# The KPI columns a digest shows, by metric, in this order.
DIGEST_METRICS = (M.REVENUE, M.LABOR_COST_RATIO, M.FOOD_COST_RATIO, M.STOCK_OUTS)


def _signed(percent: str | None) -> str:
    return "" if percent is None else format_change(Decimal(percent) / 100)


def digest_summary(*, user, period: Period) -> dict[str, Any]:
    report = chain_report(user=user, period=period)
    kpis = {k["metric"]: k for k in report["kpis"]}
    shown = [kpis[m] for m in DIGEST_METRICS if m in kpis]
    names = {k["id"]: k["name"] for k in report["kpis"]}
    store_ids = [row["store"] for row in report["stores"]]

    no_shows = Counter(
        dict(
            Reservation.objects.for_user(user)
            .filter(store_id__in=store_ids, status=Reservation.Status.NO_SHOW)
            .filter(reservation_date__range=(period.start, period.end))
            .values_list("store_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    missed = Counter(
        dict(
            TimeEntry.objects.for_user(user)
            .filter(store_id__in=store_ids, auto_closed=True, needs_review=True)
            .filter(business_date__range=(period.start, period.end))
            .values_list("store_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    failed_jobs: list[str] = []
    if roles.is_admin(user):
        start, end = local_day_bounds(period.start, period.end)
        failed_jobs = sorted(
            set(
                Notification.objects.filter(
                    recipient=user, kind=Notification.Kind.SYSTEM, created_at__gte=start, created_at__lt=end
                )
                .filter(data__has_key="task")
                .values_list("data__task", flat=True)
            )
        )

    def figures(cells: dict[str, dict]) -> list[dict[str, Any]]:
        return [
            {
                "kpi": k["id"],
                "metric": k["metric"],
                "name": k["name"],
                "value": cells[k["id"]]["value"],
                "shown": format_kpi_value(cells[k["id"]]["value"], k["unit"]),
                "change_percent": cells[k["id"]]["change_percent"],
                "change_shown": _signed(cells[k["id"]]["change_percent"]),
                "status": cells[k["id"]]["status"],
            }
            for k in shown
        ]

    stores = []
    for row in report["stores"]:
        off = [names[kpi_id] for kpi_id, c in row["values"].items() if c["status"] == KPIRecord.Status.OFF_TRACK]
        stores.append(
            {
                "store": row["store"],
                "name": row["name"],
                "region": row["region_name"],
                "figures": figures(row["values"]),
                "no_shows": no_shows[row["store"]],
                "missed_clockouts": missed[row["store"]],
                "off_track": off,
            }
        )
    members: dict[str, list[str]] = {}
    for row in report["stores"]:
        members.setdefault(row["region"], []).append(row["store"])
    regions = [
        {
            "region": r["region"],
            "name": r["name"],
            "stores": r["stores"],
            "figures": figures(r["total"]),
            "no_shows": sum(no_shows[s] for s in members.get(r["region"], [])),
            "missed_clockouts": sum(missed[s] for s in members.get(r["region"], [])),
        }
        for r in report["regions"]
    ]
    exceptions = sum(s["missed_clockouts"] for s in stores) + sum(len(s["off_track"]) for s in stores)
    return {
        "period": period,
        "stores": stores,
        "regions": regions,
        "failed_jobs": failed_jobs,
        "exceptions": exceptions + len(failed_jobs),
        "title": _("Zhilian digest %(start)s – %(end)s") % {"start": period.start, "end": period.end}
        if period.days > 1
        else _("Zhilian digest %(day)s") % {"day": period.start},
    }
