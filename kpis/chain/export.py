"""The chain report as a file: CSV (UTF-8 with a BOM, so Excel reads the Chinese names) and XLSX
(openpyxl). One row per store, then per region and the chain; per KPI its value, the previous
period's, the change in %, the status and the rank, as the page shows them."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _

from kpis.models import KPIRecord

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
STATUS_LABELS = dict(KPIRecord.Status.choices)


def headers(report: dict[str, Any]) -> list[str]:
    columns = [_("Store ID"), _("Name"), _("Region")]
    for kpi in report["kpis"]:
        unit = f" ({kpi['unit']})" if kpi["unit"] else ""
        columns += [
            f"{kpi['name']}{unit}",
            f"{kpi['name']}: {_('previous period')}",
            f"{kpi['name']}: {_('change %')}",
            f"{kpi['name']}: {_('status')}",
            f"{kpi['name']}: {_('rank')}",
        ]
    return columns


def _cells(report, values: dict[str, dict]) -> list:
    out = []
    for kpi in report["kpis"]:
        c = values[kpi["id"]]
        status = str(STATUS_LABELS.get(c["status"], "")) if c["status"] else ""
        out += [c["value"] or "", c["previous"] or "", c["change_percent"] or "", status, c["rank"] or ""]
    return out


def rows(report: dict[str, Any]) -> list[list]:
    out = [[r["store"], r["name"], r["region_name"], *_cells(report, r["values"])] for r in report["stores"]]
    for region in report["regions"]:
        out.append(["", _("Total"), region["name"], *_cells(report, region["total"])])
        out.append(["", _("Average per store"), region["name"], *_cells(report, region["average"])])
    out.append(["", _("Total"), _("Chain"), *_cells(report, report["chain"]["total"])])
    out.append(["", _("Average per store"), _("Chain"), *_cells(report, report["chain"]["average"])])
    return out


def as_csv(report: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers(report))
    writer.writerows(rows(report))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(report: dict[str, Any]) -> bytes:
    from decimal import Decimal

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Chain report")[:31]
    sheet.append(headers(report))
    for row in rows(report):
        # Numbers as numbers, so a spreadsheet sums and sorts them.
        sheet.append([*row[:3], *(_number(v, Decimal) for v in row[3:])])
    sheet.freeze_panes = "D2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _number(value, decimal):
    if isinstance(value, str) and value and value.lstrip("-").replace(".", "", 1).isdigit():
        return float(decimal(value))
    return value


def filename(report: dict[str, Any], fmt: str) -> str:
    period = report["period"]
    return f"chain-report-{period['start']:%Y-%m-%d}-{period['end']:%Y-%m-%d}.{fmt}"
